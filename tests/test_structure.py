"""The tree states the architecture: the engine never imports the front ends, the tools or
Discord, and no module of the project takes part in an import cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.paths import REPO_ROOT

PACKAGES = ("index", "bot")


def modules() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name."""
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imported(name: str, path: Path) -> Iterator[str]:
    """The absolute names a module imports, wherever in it (top level or inside a function)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def project_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (names resolved to modules that exist)."""
    known = modules()
    return {
        name: {target for target in imported(name, path) if target in known and target != name}
        for name, path in known.items()
    }


def test_the_engine_imports_neither_discord_nor_the_front_ends_nor_the_tools():
    offending = {
        name: sorted(
            target for target in imported(name, path) if target.split(".")[0] in ("discord", "bot", "tests")
        )
        for name, path in modules().items()
        if name.split(".")[0] == "index"
    }
    assert {name: found for name, found in offending.items() if found} == {}


def test_only_the_discord_front_end_imports_discord():
    outside = {
        name
        for name, path in modules().items()
        if not name.startswith("bot.discord_bot")
        and any(target.split(".")[0] == "discord" for target in imported(name, path))
    }
    assert outside == set()


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a graph, each as the path that closes it (depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    return found


def test_there_are_no_import_cycles():
    graph = project_graph()
    # A package's __init__ re-exporting its children is not a cycle of the code itself.
    edges = {m: {t for t in targets if not t.startswith(m + ".")} for m, targets in graph.items()}
    assert cycles(edges) == []


def test_the_cycle_check_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import discord\n", {"discord"}),
        ("from ..models import Answer\n", {"index.models", "index.models.Answer"}),
        ("def f():\n    from bot.cli import main\n", {"bot.cli", "bot.cli.main"}),
    ],
)
def test_the_checks_see_every_kind_of_import(tmp_path, source, expected):
    path = tmp_path / "probe.py"
    path.write_text(source)
    assert set(imported("index.answering.probe", path)) == expected
