"""Every regular expression in the engine takes time linear in its input, so no text can stall an
ingest or the bot's event loop (a running regex holds the GIL).

The patterns are found, not listed: every compiled pattern a module of `index` holds (also in
lists, tuples and dicts), and every pattern its code hands to a `re` function, read from the
module's syntax tree (a loop variable is followed to the module-level sequence it walks). Each
pattern runs as the engine runs it (`re.match`/`re.fullmatch` from the start, everything else
over every match) on crafted inputs: long runs of separators, of digits and commas and of
capitalised words, words far apart, the pattern's own words, news furniture followed by a long
run, each ending in a character that makes a pending match fail.

Growth is judged by ratios, never by a time limit: from 10 characters to 10 KB, no doubling of
the input may multiply the time by more than `LIMIT` (which stops an explosive pattern long
before it hangs the test), and from 2.5 KB to 10 KB the time may grow at most `LIMIT`-fold:
linear work grows 4x there, quadratic work 16x. Times are this thread's CPU time with the
garbage collector off, and a comparison over the limit is measured again, as the median ratio
of samples of both sizes taken in turns, so a loaded machine does not fail it.
"""

from __future__ import annotations

import ast
import collections
import gc
import importlib
import inspect
import itertools
import pkgutil
import re
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

import index

LIMIT = 8.0
SIZES = [10 * 2**k for k in range(11)]  # 10 characters to 10 KB (10,240)
# Positional index of the `flags` argument of each `re` function.
RE_FLAGS_AT = {
    "compile": 1,
    "search": 2,
    "match": 2,
    "fullmatch": 2,
    "finditer": 2,
    "findall": 2,
    "split": 3,
    "sub": 4,
    "subn": 4,
}
FROM_THE_START = {"match", "fullmatch"}
# A sample lasts at least SAMPLE seconds (GLANCE on the way up); a comparison that fails on its
# first samples is measured again, SAMPLES pairs at a time, unless a run takes over SLOW_SAMPLE.
SAMPLE, SAMPLES, GLANCE, SLOW_SAMPLE = 0.0005, 5, 0.00005, 0.5
ATTEMPTS = 3


@dataclass(frozen=True)
class Use:
    """A pattern as the engine uses it, and where it was found."""

    pattern: re.Pattern[str]
    from_start: bool
    where: str

    def run(self, text: str) -> None:
        if self.from_start:
            self.pattern.match(text)
        else:
            collections.deque(self.pattern.finditer(text), maxlen=0)


# ---- finding the patterns -------------------------------------------------------------------


def engine_modules() -> list[ModuleType]:
    return [index] + [
        importlib.import_module(info.name) for info in pkgutil.walk_packages(index.__path__, "index.")
    ]


def held_patterns(value: object, depth: int = 0) -> Iterator[re.Pattern[str]]:
    if isinstance(value, re.Pattern):
        yield value
    elif depth < 3 and isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from held_patterns(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from held_patterns(item, depth + 1)


def _position(target: ast.expr, name: str) -> list[int] | None:
    """Where `name` sits in a loop target: [] for `for name in`, [1] for `for _, name in`."""
    if isinstance(target, ast.Name):
        return [] if target.id == name else None
    if isinstance(target, ast.Tuple | ast.List):
        for i, element in enumerate(target.elts):
            found = _position(element, name)
            if found is not None:
                return [i, *found]
    return None


def _evaluate(expr: ast.expr, module: ModuleType) -> Any:
    return eval(compile(ast.Expression(expr), module.__name__, "eval"), vars(module))


def _values(
    expr: ast.expr, at: ast.AST, parents: dict[ast.AST, ast.AST], module: ModuleType, where: str
) -> list[Any]:
    """What `expr` can be at `at`: its value from the module's names, or, for a loop variable,
    the matching item of every element of the sequence the loop walks."""
    try:
        return [_evaluate(expr, module)]
    except NameError:
        pass
    node = at
    while isinstance(expr, ast.Name) and node in parents:
        node = parents[node]
        loops = [node] if isinstance(node, ast.For) else getattr(node, "generators", [])
        for loop in loops:
            path = _position(loop.target, expr.id)
            if path is not None:
                items = []
                for item in _evaluate(loop.iter, module):
                    for i in path:
                        item = item[i]
                    items.append(item)
                return items
    raise AssertionError(f"{where}: cannot tell which pattern {ast.unparse(expr)!r} is")


def called_patterns(module: ModuleType) -> Iterator[Use]:
    """Every pattern the module's code passes to a `re` function, as that function uses it."""
    tree = ast.parse(inspect.getsource(module))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for call in ast.walk(tree):
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "re"
            and call.func.attr in RE_FLAGS_AT
        ):
            continue
        where = f"{module.__name__}:{call.lineno}"
        first = call.args[0]
        if isinstance(first, ast.Call) and ast.unparse(first.func) == "re.escape":
            continue  # an escaped literal: matched in linear time
        flags_at = RE_FLAGS_AT[call.func.attr]
        flag_exprs = [k.value for k in call.keywords if k.arg == "flags"] + call.args[flags_at : flags_at + 1]
        flags = _evaluate(flag_exprs[0], module) if flag_exprs else 0
        for source in _values(first, call, parents, module, where):
            pattern = source if isinstance(source, re.Pattern) else re.compile(source, flags)
            yield Use(pattern, call.func.attr in FROM_THE_START, where)


def patterns_of(module: ModuleType) -> list[Use]:
    """The patterns a module holds and the ones its code hands to `re`, each once."""
    found: dict[tuple[str, int, bool], Use] = {}
    for name, value in vars(module).items():
        for pattern in held_patterns(value):
            found.setdefault(
                (pattern.pattern, pattern.flags, False), Use(pattern, False, f"{module.__name__}.{name}")
            )
    for use in called_patterns(module):
        found.setdefault((use.pattern.pattern, use.pattern.flags, use.from_start), use)
    return list(found.values())


def engine_patterns() -> list[Use]:
    found: dict[tuple[str, int, bool], Use] = {}
    for module in engine_modules():
        for use in patterns_of(module):
            found.setdefault((use.pattern.pattern, use.pattern.flags, use.from_start), use)
    return list(found.values())


USES = engine_patterns()


# ---- crafted inputs -------------------------------------------------------------------------

# What ends every input: a letter stops a run of separators or digits, "!" a run of letters, so
# a quantifier that has to give back what it took is made to.
END = "x!"
SEPARATORS = [" ", "-", ",", ".", "'", ", ", " - ", " ,.-'/"]
DIGITS_AND_COMMAS = ["1", "1,", "1, ", "1.", "1 "]
CAPITALISED = ["Aa ", "A", "Aa-", "A. ", "Aa's "]
FURNITURE = ["Jane Doe/Sun-Times", "July 24, 2022", "(AP Photo/Jo Li)", "2,098"]
Shape = Callable[[int], str]


def run_of(unit: str, head: str = "") -> Shape:
    return lambda n: head + unit * max(1, (n - len(head)) // len(unit)) + END


def far_apart(separator: str, words: int = 8) -> Shape:
    """`words` words with long runs of `separator` between them."""
    return lambda n: "Aa" + (separator * max(1, n // (words * len(separator))) + "aa") * (words - 1) + END


def shapes(pattern: re.Pattern[str]) -> dict[str, Shape]:
    found = {f"run of {u!r}": run_of(u) for u in SEPARATORS + DIGITS_AND_COMMAS + CAPITALISED}
    found |= {f"words apart by {s!r}": far_apart(s) for s in (" ", ", ", " - ")}
    found |= {f"{head!r} then spaces": run_of(" ", head) for head in FURNITURE}
    own = " ".join(dict.fromkeys(re.findall(r"[A-Za-z]{2,}", pattern.pattern)))
    if own:
        found |= {"its own words": run_of(own + " "), "its own words capitalised": run_of(own.title() + " ")}
    return found


# ---- timing ---------------------------------------------------------------------------------


class Timer:
    """This thread's CPU seconds for one run of `use` over `text`, averaged over enough repeats
    that a sample lasts at least `sample` seconds (found once, by doubling)."""

    def __init__(self, use: Use, text: str, sample: float):
        self.use, self.text, self.repeats = use, text, 1
        while (elapsed := self._elapsed()) < sample:
            self.repeats *= 2
        self.first = elapsed / self.repeats

    def _elapsed(self) -> float:
        gc.disable()
        try:
            start = time.thread_time()
            for _ in range(self.repeats):
                self.use.run(self.text)
            return time.thread_time() - start
        finally:
            gc.enable()

    def seconds(self) -> float:
        return self._elapsed() / self.repeats


def growth(use: Use, shape: Shape, small: int, large: int) -> float:
    """How many times longer `large` characters take than `small`: the median ratio of samples
    taken in turns (so both sizes meet the same load), the least of a few tries."""
    timers = Timer(use, shape(small), SAMPLE), Timer(use, shape(large), SAMPLE)
    ratio = timers[1].first / timers[0].first
    for _ in range(ATTEMPTS):
        if ratio <= LIMIT or timers[1].first > SLOW_SAMPLE:
            break
        ratio = min(
            ratio, statistics.median(timers[1].seconds() / timers[0].seconds() for _ in range(SAMPLES))
        )
    return ratio


def superlinear(use: Use, shape: Shape) -> str | None:
    """How the time grows faster than the input, or None when it does not."""
    before = Timer(use, shape(SIZES[0]), GLANCE).first
    for small, large in itertools.pairwise(SIZES[:-2]):  # doublings up to 2,560, at a glance
        after = Timer(use, shape(large), GLANCE).first
        if after > LIMIT * before:  # a suspect doubling is measured properly
            ratio = growth(use, shape, small, large)
            if ratio > LIMIT:
                return f"{ratio:.1f}x the time from {small:,} to {large:,} characters"
        before = after
    ratio = growth(use, shape, SIZES[-3], SIZES[-1])
    return f"{ratio:.1f}x the time for 4x the input" if ratio > LIMIT else None


SAMPLE_MODULE = """
import re

HELD = re.compile(r"held")
TABLE = [("a", re.compile(r"in a table")), ("b", re.compile(r"in a table too"))]
KINDS = [("x", r"walked by a loop"), ("y", r"walked too")]


def literal(text):
    return re.search(r"literal", text, re.IGNORECASE)


def from_start(text):
    return re.match(r"from the start", text)


def walked(text):
    return [kind for kind, pattern in KINDS if re.search(pattern, text)]


def escaped(words, text):
    return [m for w in words for m in re.finditer(re.escape(w), text)]
"""


def test_patterns_are_found_in_tables_in_functions_and_through_loops(tmp_path, monkeypatch):
    (tmp_path / "sample_patterns.py").write_text(SAMPLE_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = {
        (u.pattern.pattern, u.pattern.flags & re.IGNORECASE, u.from_start)
        for u in patterns_of(importlib.import_module("sample_patterns"))
    }
    assert found == {
        ("held", 0, False),
        ("in a table", 0, False),
        ("in a table too", 0, False),
        ("walked by a loop", 0, False),
        ("walked too", 0, False),
        ("literal", re.IGNORECASE, False),
        ("from the start", 0, True),
    }


def _param(use: Use) -> Any:
    return pytest.param(use, id=f"{use.where} {use.pattern.pattern[:40]}")


@pytest.mark.parametrize("use", [_param(use) for use in USES])
def test_every_engine_pattern_runs_in_linear_time(use: Use):
    for name, shape in shapes(use.pattern).items():
        found = superlinear(use, shape)
        assert found is None, f"{use.where} {use.pattern.pattern!r} on a {name}: {found}"
