"""A crash at any moment leaves the old or the new state, never a mix.

`newsbot ingest` runs in a child process (tests/launch_newsbot.py: HashingEncoder, two articles
per transaction, so an ingest is some 150 transactions long) and is killed with SIGKILL at 20
random moments: each kill waits for a random number of commits, then a random part of the next
transaction. Between kills the corpus changes (updates, removals, additions), so every kind of
write is interrupted. After each kill the index must open and agree with itself; at the end an
uninterrupted run must leave exactly the index a clean ingest of the final corpus builds.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from index.engine import Engine
from index.store.builds import IndexFolder
from index.store.schema import DB_NAME
from index.store.store import Store
from index.store.vector_files import newest_saved
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.paths import REPO_ROOT

LAUNCHER = REPO_ROOT / "tests" / "launch_newsbot.py"
ARTICLES = 300
KILLS = 20
BATCH = 2
STEP_TIMEOUT = 60.0  # seconds: a bound against hangs, never a measurement


def body(n: int, version: int) -> str:
    return (
        f"In 2021, the city counted {n * 7 + version:,} potholes on Street {n}, officials said.\n"
        f"Version {version} of this story says repairs on Street {n} would take {version + 1} "
        f"years. The mayor visited Street {n} last week.\n"
    )


def article(n: int, version: int) -> str:
    return f"---\nurl: https://crash.example/{n}\npublished: 2022-0{1 + n % 9}-1{n % 10}\n---\n" + body(
        n, version
    )


def write_corpus(corpus: Path, versions: dict[int, int]) -> None:
    for path in corpus.glob("*.md"):
        if int(path.stem.split("-")[1]) not in versions:
            path.unlink()
    for n, version in versions.items():
        path = corpus / f"story-{n}.md"
        text = article(n, version)
        if not path.exists() or path.read_text() != text:
            path.write_text(text)


def start_ingest(corpus: Path, index_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            LAUNCHER,
            "--batch",
            str(BATCH),
            "--",
            "ingest",
            "-q",
            "--index-dir",
            index_dir,
            corpus,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def committed(index_dir: Path) -> int:
    """The generation last committed; 0 before the index exists (read-only: creates nothing)."""
    try:
        with sqlite3.connect(f"{(index_dir / DB_NAME).as_uri()}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    except sqlite3.Error:
        return 0


def kill_at_a_random_moment(process: subprocess.Popen, index_dir: Path, rng: random.Random) -> bool:
    """Waits for 0 to 6 more commits, then up to 50 ms more, and kills. False when the ingest
    ended before the kill."""
    target = committed(index_dir) + rng.randint(0, 6)
    deadline = time.monotonic() + STEP_TIMEOUT
    while committed(index_dir) < target and process.poll() is None:
        assert time.monotonic() < deadline, "the ingest made no progress"
        time.sleep(0.002)
    time.sleep(rng.uniform(0, 0.05))
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(STEP_TIMEOUT)
    return True


def stats_json(index_dir: Path, capsys) -> dict:
    assert main(["stats", "--json", "--index-dir", str(index_dir)]) == 0
    return json.loads(capsys.readouterr().out)


def assert_consistent(index_dir: Path, capsys) -> None:
    store = Store.open_existing(index_dir)
    try:
        assert store.check() == []
    finally:
        store.close()
    stats = stats_json(index_dir, capsys)
    assert stats["vectors"] == stats["chunks"]


def query(index_dir: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(index_dir / DB_NAME) as db:
        return db.execute(sql, params).fetchall()


def snapshot(index_dir: Path) -> dict[str, tuple]:
    """Every article with its text, sentence offsets and chunk texts."""
    return {
        article_id: (
            text,
            query(index_dir, 'SELECT start, "end" FROM sentences WHERE article = ? ORDER BY position', row),
            query(index_dir, "SELECT text FROM chunks WHERE article = ? ORDER BY position", row),
        )
        for row, article_id, text in query(index_dir, "SELECT id, article_id, text FROM articles")
    }


@pytest.mark.slow
def test_ingest_killed_at_20_random_moments_loses_and_duplicates_nothing(tmp_path, capsys):
    rng = random.Random(5)
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    versions = dict.fromkeys(range(ARTICLES), 0)
    written = dict(versions)  # the latest version each article ever had on disk
    write_corpus(corpus, versions)

    kills = cut_before_vectors = rounds = 0
    while kills < KILLS:
        rounds += 1
        assert rounds <= 3 * KILLS, "the ingest kept finishing before it could be killed"
        if rounds % 4 == 0:  # updates, removals and additions, interrupted like the rest
            for n in rng.sample(sorted(versions), 8):
                versions[n] += 1
            for n in rng.sample(sorted(versions), 3):
                del versions[n]
            versions.update({max(written) + 1 + i: 0 for i in range(3)})
            written.update(versions)
            write_corpus(corpus, versions)
        process = start_ingest(corpus, index_dir)
        if not kill_at_a_random_moment(process, index_dir, rng):
            assert process.returncode == 0, process.stderr.read().decode()
            continue
        kills += 1
        if not (index_dir / DB_NAME).exists():
            continue  # killed before it created anything
        # Killed before the ingest wrote its vector file: the check reads an older file and the
        # changes the database logged since (and opening the index saves them).
        generation = committed(index_dir)
        cut_before_vectors += newest_saved(IndexFolder(index_dir).live(), generation) != generation
        assert_consistent(index_dir, capsys)
        # Every stored article is one whole version of its file, old or new, never a mix.
        for article_id, text in query(index_dir, "SELECT article_id, text FROM articles"):
            n = int(article_id.rsplit("/", 1)[1])
            assert text in {body(n, v) for v in range(written[n] + 1)}

    process = start_ingest(corpus, index_dir)
    _, err = process.communicate(timeout=STEP_TIMEOUT)
    assert process.returncode == 0, err.decode()
    assert_consistent(index_dir, capsys)

    reference_dir = tmp_path / "reference"
    reference = Engine.open(reference_dir, HashingEncoder(), create=True)
    reference.ingest([corpus])
    reference.close()
    resumed, clean = snapshot(index_dir), snapshot(reference_dir)
    assert sorted(resumed) == sorted(f"https://crash.example/{n}" for n in versions)
    assert resumed == clean
    print(f"\n{kills} kills in {rounds} runs, {cut_before_vectors} before the vector file was written")


def test_a_first_ingest_killed_before_its_metadata_leaves_no_index_not_a_broken_one(
    tmp_path, capsys, monkeypatch
):
    index_dir = tmp_path / "index"
    with monkeypatch.context() as crash:
        # The database file and its tables exist; the model and dimension were never written.
        crash.setattr(Store, "_record_meta", lambda *a: sys.exit("killed"))
        with pytest.raises(SystemExit):
            Engine.open(index_dir, HashingEncoder(), create=True)
    assert main(["stats", "--index-dir", str(index_dir)]) != 0
    assert "No index" in capsys.readouterr().err

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story-1.md").write_text(article(1, 0))
    engine = Engine.open(index_dir, HashingEncoder(), create=True)
    try:
        assert engine.ingest([corpus]).added == ["https://crash.example/1"]
    finally:
        engine.close()
    assert stats_json(index_dir, capsys)["articles"] == 1
