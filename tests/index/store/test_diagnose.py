"""What goes wrong with the index's files reaches the user as one line saying what to do: a healthy
read-only index is read, not called damaged; zeroed pages are damage; a full disk is a full disk
(tests/index/store/test_space.py)."""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bot.cli.commands
from bot.cli import main
from index.engine import Engine
from index.store.schema import DB_NAME
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.paths import REPO_ROOT
from tests.index.store.test_store import as_format_2

VERBATIM = "Lifeguards returned to 23 lakefront beaches on Monday, the park district said."
TIMEOUT = 120.0  # seconds: a bound against hangs, never a measurement
# Linux: prctl(PR_CAPBSET_DROP) for the capabilities that let root write whatever the modes say.
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3

READ_ONLY_SESSION = """
import json, sys
from pathlib import Path
from index import Engine, UserError
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.reranker import FAKE_MODEL_PARAMS, OverlapReranker

index, more = map(Path, sys.argv[1:])
engine = Engine.open(index, HashingEncoder(), reranker=OverlapReranker(), params=FAKE_MODEL_PARAMS)
results = {
    "cited": [c.sentence for c in engine.ask("where did lifeguards return?").quoted],
    "articles": engine.stats().articles,
}
writes = {
    "feedback": lambda: engine.record_feedback(helpful=True, user_hash="u1", question=None),
    "ingest": lambda: engine.ingest([more]),
}
for name, write in writes.items():
    try:
        write()
        results[name] = "written"
    except UserError as exc:
        results[name] = str(exc)
print(json.dumps(results))
"""


@pytest.fixture
def built_index(index_dir, newsroom_corpus, encoder):
    engine = Engine.open(index_dir, encoder, create=True)
    engine.ingest([newsroom_corpus])
    engine.close()
    return index_dir


def run_read_only(index: Path, script: str, *args: object) -> subprocess.CompletedProcess:
    """`script` run by a child process with `index` (its first argument) made read-only, and
    root's write override dropped, so that the files' modes hold as for any other user."""
    chmod_all(index, 0o444)
    try:
        return subprocess.run(
            [sys.executable, "-c", script, str(index), *map(str, args)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            timeout=TIMEOUT,
            preexec_fn=without_write_override if os.geteuid() == 0 else None,
        )
    finally:
        chmod_all(index, 0o644)


def without_write_override() -> None:
    """In the child, before it runs: root keeps its uid but must obey the files' modes."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)


def chmod_all(folder: Path, mode: int) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(mode | (0o111 if path.is_dir() else 0))


def test_a_read_only_index_answers_and_says_in_one_line_why_it_takes_no_writes(
    built_index, write_article, tmp_path
):
    more = write_article("bikes.md", "In 2023, Chicago saw 1,234 bike thefts.\n", directory=tmp_path / "more")
    child = run_read_only(built_index, READ_ONLY_SESSION, more.parent)
    assert child.returncode == 0, child.stderr
    results = json.loads(child.stdout.splitlines()[-1])
    assert results["articles"] == 3
    assert VERBATIM in results["cited"]
    for write in ("feedback", "ingest"):
        assert "can be read but not changed" in results[write] and "damaged" not in results[write]
        assert "\n" not in results[write]


def test_a_read_only_index_of_an_older_format_says_how_to_upgrade_it(built_index):
    as_format_2(built_index)
    opening = (
        "import sys\nfrom pathlib import Path\nfrom index import Engine, UserError\n"
        "from tests.fixtures.encoder import HashingEncoder\n"
        "try:\n    Engine.open(Path(sys.argv[1]), HashingEncoder())\n"
        "except UserError as exc:\n    print(exc)\n"
    )
    child = run_read_only(built_index, opening)
    assert child.returncode == 0, child.stderr
    assert "has format 2" in child.stdout and "as a user who may write to it" in child.stdout


def newsbot(capsys, monkeypatch, *argv) -> tuple[int, str]:
    """`newsbot ARGV...` in this process with the HashingEncoder: exit code and stderr."""
    monkeypatch.setattr(bot.cli.commands, "load_encoder", lambda *_, **__: HashingEncoder())
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def test_zeroed_database_pages_are_one_line_saying_damaged_and_a_rebuild_mends_them(
    built_index, newsroom_corpus, capsys, monkeypatch
):
    database = built_index / DB_NAME
    raw = database.read_bytes()
    half = len(raw) // 2 // 4096 * 4096
    database.write_bytes(raw[:half] + bytes(len(raw) - half))  # the schema reads, rows do not
    for command in (["stats"], ["ask", "lifeguards?"], ["search", "lifeguards"]):
        code, err = newsbot(capsys, monkeypatch, *command, "--index-dir", built_index)
        assert code != 0 and err.count("\n") == 1 and "Traceback" not in err, err
        assert "damaged" in err and "--rebuild" in err
    rebuild = ["ingest", "-q", "--rebuild", "--index-dir", built_index, newsroom_corpus]
    assert newsbot(capsys, monkeypatch, *rebuild) == (0, "")
    assert newsbot(capsys, monkeypatch, "stats", "--index-dir", built_index) == (0, "")
