"""The index folder holds builds, one of them live: a rebuild fills a new one and switches to it
in one rename; a crash at any step leaves an archive that opens and answers; leftovers are
deleted once no one reads them; an index made before builds opens in place."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.engine import Engine
from index.errors import UserError
from index.params import AnswerParams, EngineParams, IngestParams
from index.store.builds import POINTER, IndexFolder
from index.store.schema import DB_NAME, MANIFEST_NAME
from index.store.store import Store
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.paths import REPO_ROOT
from tests.index.store.small_disk import on_small_disk

DIE_AFTER_RENAMES = REPO_ROOT / "tests" / "index" / "store" / "die_after_renames.py"
LENIENT = EngineParams(answer=AnswerParams(threshold=0.15))
STEP_TIMEOUT = 60.0  # seconds: a bound against hangs, never a measurement


def story(n: int, edition: str) -> str:
    return (
        f"---\nurl: https://builds.example/{edition}/{n}\npublished: 2022-03-0{n + 1}\n---\n"
        f"In 2021, the {edition} edition counted {n * 11 + 5:,} potholes on Street {n}, officials said.\n"
    )


def corpus(tmp_path: Path, edition: str, articles: int = 3) -> Path:
    folder = tmp_path / edition
    folder.mkdir()
    for n in range(articles):
        (folder / f"story-{n}.md").write_text(story(n, edition))
    return folder


def article_ids(index_dir: Path) -> set[str]:
    store = Store.open_existing(index_dir)
    try:
        with store.snapshot():
            return set(store.article_index())
    finally:
        store.close()


def made_before_builds(index_dir: Path) -> None:
    """Rearranges a closed index as one made before builds: its files directly in the folder."""
    build = IndexFolder(index_dir).live()
    assert build is not None and build != index_dir
    for name in (POINTER, DB_NAME, MANIFEST_NAME):
        (index_dir / name).unlink()
    for path in build.iterdir():
        path.rename(index_dir / path.name)
    build.rmdir()


@pytest.fixture
def old_edition(tmp_path, index_dir) -> Path:
    engine = Engine.open(index_dir, HashingEncoder(), create=True)
    try:
        engine.ingest([corpus(tmp_path, "old")])
    finally:
        engine.close()
    return index_dir


def test_an_index_lives_in_a_build_and_a_rebuild_switches_to_a_new_one(old_edition, tmp_path):
    folder = IndexFolder(old_edition)
    assert folder.live() == old_edition / "build-000001"
    assert (old_edition / DB_NAME).resolve() == old_edition / "build-000001" / DB_NAME
    Engine.rebuild(old_edition, HashingEncoder(), [corpus(tmp_path, "new")])
    assert folder.live() == old_edition / "build-000002"
    assert [b.name for b in folder.builds()] == ["build-000002"], "the retired build no one reads is gone"
    assert (old_edition / MANIFEST_NAME).resolve() == old_edition / "build-000002" / MANIFEST_NAME
    assert article_ids(old_edition) == {f"https://builds.example/new/{n}" for n in range(3)}


def test_a_retired_build_stays_while_an_engine_reads_it_and_goes_once_it_moved(old_edition, tmp_path):
    reader = Engine.open(old_edition, HashingEncoder(), params=LENIENT)
    try:
        Engine.rebuild(old_edition, HashingEncoder(), [corpus(tmp_path, "new")])
        assert [b.name for b in IndexFolder(old_edition).builds()] == ["build-000001", "build-000002"]
        answer = reader.ask("how many potholes did the new edition count in 2021?")
        assert {c.source.article_id.split("/")[3] for c in answer.quoted} == {"new"}
        assert [b.name for b in IndexFolder(old_edition).builds()] == ["build-000002"]
    finally:
        reader.close()


def test_a_build_a_killed_rebuild_left_is_deleted_by_the_next_rebuild(old_edition, tmp_path):
    left = old_edition / "build-000007"
    left.mkdir()
    (left / DB_NAME).write_bytes(b"half a database")
    Engine.rebuild(old_edition, HashingEncoder(), [corpus(tmp_path, "new")])
    assert IndexFolder(old_edition).builds() == [IndexFolder(old_edition).live()]
    assert not left.exists()


def test_a_second_rebuild_at_the_same_time_is_refused(old_edition, tmp_path):
    with IndexFolder(old_edition).locked(wait=False) as builds:  # as a rebuild running elsewhere holds it
        assert builds is not None
        with pytest.raises(UserError, match="Another rebuild"):
            Engine.rebuild(old_edition, HashingEncoder(), [corpus(tmp_path, "new")])
    assert article_ids(old_edition) == {f"https://builds.example/old/{n}" for n in range(3)}


def unswitched_build(index_dir: Path, articles: Path) -> Path:
    """A complete build beside the live one, as a rebuild leaves it just before its switch."""
    folder = IndexFolder(index_dir)
    with folder.locked(wait=True) as builds:
        assert builds is not None
        build = builds.create()
    store = Store.create_build(folder, build, "hashing-test-encoder", 384)
    engine = Engine(store, HashingEncoder())
    try:
        engine.ingest([articles])
    finally:
        engine.close()
    return build


@pytest.mark.parametrize("before_builds", [False, True], ids=["builds", "made before builds"])
def test_a_switch_cut_before_its_links_is_finished_on_open(old_edition, tmp_path, before_builds):
    # What a crash between the pointer's rename and the links' leaves: the pointer names the new
    # build; the names tools open still lead to the old one (or are the old index itself).
    if before_builds:
        made_before_builds(old_edition)
    new = unswitched_build(old_edition, corpus(tmp_path, "new"))
    (old_edition / POINTER).write_text(f"{new.name}\n")
    assert (old_edition / DB_NAME).resolve() != new / DB_NAME

    engine = Engine.open(old_edition, HashingEncoder(), params=LENIENT)
    try:
        answer = engine.ask("how many potholes did the new edition count in 2021?")
        assert {c.source.article_id.split("/")[3] for c in answer.quoted} == {"new"}
    finally:
        engine.close()
    for name in (DB_NAME, MANIFEST_NAME):
        assert (old_edition / name).resolve() == new / name
    assert article_ids(old_edition) == {f"https://builds.example/new/{n}" for n in range(3)}


def test_an_index_made_before_builds_opens_in_place_and_a_rebuild_converts_it(old_edition, tmp_path):
    made_before_builds(old_edition)
    engine = Engine.open(old_edition, HashingEncoder(), params=LENIENT)
    try:
        assert engine.stats().articles == 3
        engine.record_feedback(helpful=True, user_hash="u1", question=None)
        Engine.rebuild(old_edition, HashingEncoder(), [corpus(tmp_path, "new")])
        assert engine.stats().feedback_helpful == 1  # the same engine, moved to the new build
    finally:
        engine.close()
    assert IndexFolder(old_edition).live() == old_edition / "build-000001"
    assert sorted(p.name for p in old_edition.iterdir()) == sorted(
        ["build-000001", POINTER, DB_NAME, MANIFEST_NAME, "rebuild.lock"]
    )


def test_questions_asked_during_a_rebuild_are_answered_from_the_old_archive_or_the_new(old_edition, tmp_path):
    articles = corpus(tmp_path, "new", articles=40)
    readers = [Engine.open(old_edition, HashingEncoder(), params=LENIENT) for _ in range(3)]
    editions: list[list[set[str]]] = [[] for _ in readers]
    problems: list[BaseException] = []
    done = threading.Event()

    def ask(engine: Engine, seen: list[set[str]]) -> None:
        try:
            while not done.is_set():
                answer = engine.ask("how many potholes on Street 1 in 2021?")
                seen.append({c.source.article_id.split("/")[3] for c in answer.quoted})
        except BaseException as exc:
            problems.append(exc)

    threads = [threading.Thread(target=ask, args=pair) for pair in zip(readers, editions, strict=True)]
    for thread in threads:
        thread.start()
    try:
        small_batches = EngineParams(ingest=IngestParams(batch_articles=2))
        Engine.rebuild(old_edition, HashingEncoder(), [articles], params=small_batches)
        while not problems and not all({"new"} in seen for seen in editions):
            time.sleep(0.01)
    finally:
        done.set()
        for thread in threads:
            thread.join(STEP_TIMEOUT)
        for engine in readers:
            engine.close()
    assert not problems, problems
    answers = [edition for seen in editions for edition in seen]
    assert {"old"} in answers and all(edition in ({"old"}, {"new"}) for edition in answers)
    for seen in editions:  # old, then new, and new from then on
        assert seen[seen.index({"new"}) :] == [{"new"}] * (len(seen) - seen.index({"new"}))
    assert len(IndexFolder(old_edition).builds()) == 1, "the old build went with its last reader"


# ---- crashes -------------------------------------------------------------------------------------


def rebuild_dying_after(renames: int, index_dir: Path, articles: Path) -> subprocess.Popen:
    """`newsbot ingest --rebuild` in a child process that dies after `renames` renames into the
    folder holding the index (its own files, its siblings)."""
    return subprocess.Popen(
        [
            sys.executable,
            DIE_AFTER_RENAMES,
            str(renames),
            index_dir.parent,
            "--batch",
            "1",
            "--",
            "ingest",
            "-q",
            "--rebuild",
            "--index-dir",
            index_dir,
            articles,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize("before_builds", [False, True], ids=["builds", "made before builds"])
def test_a_rebuild_killed_after_any_of_its_renames_leaves_an_archive_that_opens_and_answers(
    old_edition, tmp_path, before_builds
):
    uploads = old_edition / "uploads"
    uploads.mkdir()
    (uploads / "bikes.md").write_text(story(9, "upload"))
    engine = Engine.open(old_edition, HashingEncoder())
    try:
        engine.ingest([uploads])
        engine.record_feedback(helpful=False, user_hash="u1", question=None)
    finally:
        engine.close()
    if before_builds:
        made_before_builds(old_edition)
    upload = {"https://builds.example/upload/9"}
    old = {f"https://builds.example/old/{n}" for n in range(3)} | upload
    new = {f"https://builds.example/new/{n}" for n in range(3)} | upload
    articles = corpus(tmp_path, "new")

    seen = []
    for renames in range(1, 50):
        process = rebuild_dying_after(renames, old_edition, articles)
        _, err = process.communicate(timeout=STEP_TIMEOUT)
        # Whatever the step, the archive opens, agrees with itself and answers, old or new, with
        # the upload and the feedback.
        store = Store.open_existing(old_edition)
        try:
            assert store.check() == []
        finally:
            store.close()
        engine = Engine.open(old_edition, HashingEncoder(), params=LENIENT)
        try:
            stats = engine.stats()
            assert (stats.vectors, stats.feedback_unhelpful) == (stats.chunks, 1)
            assert engine.ask("how many potholes on Street 9 in 2021?").quoted
        finally:
            engine.close()
        seen.append(article_ids(old_edition))
        assert seen[-1] in (old, new)
        assert seen[-1] == new or new not in seen, "the new archive, once live, stays live"
        if process.returncode != -signal.SIGKILL:
            assert process.returncode == 0, err.decode()
            break
    print(f"\n{len(seen)} runs, {seen.count(old)} left the old archive")
    assert seen[0] == old and seen[-1] == new and len(seen) > 3
    assert len(IndexFolder(old_edition).builds()) == 1


REBUILD_A_MOUNT_POINT = """
index, old, new = args
results = {"ingest": newsbot("ingest", "-q", "--index-dir", index, old)}
results["rebuild"] = newsbot("ingest", "-q", "--rebuild", "--index-dir", index, new)
results["ask"] = newsbot("ask", "--json", "--index-dir", index, "how many potholes on Street 1 in 2021?")
print(json.dumps(results))
"""


def test_an_index_folder_that_is_a_mount_point_is_rebuilt_inside_it(tmp_path):
    index_dir = tmp_path / "volume"  # a Docker volume: the folder itself cannot be renamed
    editions = corpus(tmp_path, "old"), corpus(tmp_path, "new")
    results, log = on_small_disk(index_dir, 16 << 10, 1 << 20, REBUILD_A_MOUNT_POINT, index_dir, *editions)
    assert results["ingest"]["code"] == results["rebuild"]["code"] == 0, results
    cited = json.loads(results["ask"]["out"])["citations"]
    assert {c["article_id"].split("/")[3] for c in cited} == {"new"}
    assert "Traceback" not in log
