"""The archive in Milvus (index/archive/milvus/), on the test server on 127.0.0.1: several
processes on one archive, what a write killed midway leaves, and what it tells a user."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from index import Engine, EngineParams, IngestParams
from index.archive.location import RemoteLocation
from index.archive.milvus.archive import ArchiveUnreachableError, MilvusArchive
from index.errors import BadFilterError, IndexIncompatibleError, IndexMissingError
from index.models import ArticleFilter
from index.params import RemoteParams
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.milvus_server import LOOPBACK, free_port, milvus_server
from tests.fixtures.paths import SEED_TODAY
from tests.fixtures.reranker import FAKE_MODEL_PARAMS, OverlapReranker

pytestmark = pytest.mark.remote

DIE_MID_WRITE = Path(__file__).with_name("die_mid_write.py")
SMALL_BATCHES = FAKE_MODEL_PARAMS.model_copy(update={"ingest": IngestParams(batch_articles=2)})


@pytest.fixture
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
def connect(milvus: RemoteLocation, prefix: str, tmp_path: Path) -> Iterator[Callable[..., Engine]]:
    """connect(params=..., create=True) -> another engine (another connection, as another process
    opens it) on the one archive `prefix`; closed at teardown."""
    opened: list[Engine] = []

    def open_(params: EngineParams = SMALL_BATCHES, create: bool = True) -> Engine:
        engine = Engine.open_remote(
            milvus,
            HashingEncoder(),
            token="",
            collections=prefix,
            uploads=tmp_path / "uploads",
            reranker=OverlapReranker(),
            create=create,
            params=params,
            today=lambda: SEED_TODAY,
        )
        opened.append(engine)
        return engine

    yield open_
    for engine in opened:
        engine.close()


def write_ferry(write_article, n: int, passengers: int | None = None, **meta: object) -> Path:
    return write_article(
        f"ferry-{n}.md",
        f"""
        The harbour ferry number {n} carried {passengers or 1000 + n} passengers in 2022.

        Crew member {n} said the boat ran on time all winter.
        """,
        title=f"Ferry {n} report",
        outlet="Harbour Ledger",
        published="2023-01-1" + str(n % 10),
        **meta,
    )


def cited(engine: Engine, question: str) -> set[str]:
    answer = engine.ask(question)
    return {c.source.article_id for c in answer.quoted}


def test_an_ingest_in_one_process_is_answered_by_another_at_once(connect, corpus_dir, write_article):
    reader, writer = connect(), connect()
    write_ferry(write_article, 1)
    writer.ingest([corpus_dir])
    assert reader.stats().articles == 1
    assert cited(reader, "How many passengers did ferry number 1 carry in 2022?")


def test_a_retraction_and_a_visibility_change_take_effect_for_every_process_at_once(
    connect, corpus_dir, write_article
):
    reader, writer = connect(), connect()
    write_ferry(write_article, 1)
    write_ferry(write_article, 2)
    writer.ingest([corpus_dir])
    question = "How many passengers did ferry number 2 carry in 2022?"
    assert any("ferry-2" in a for a in cited(reader, question))
    write_ferry(write_article, 2, status="retracted")
    write_ferry(write_article, 1, visibility="internal")
    writer.ingest([corpus_dir])
    answer = reader.ask(question)
    assert not any("ferry-2" in c.source.article_id for c in answer.quoted + answer.related)
    assert reader.stats().retracted == 1
    assert reader.search("ferry number 1 passengers") == []  # internal now
    assert reader.search("ferry number 1 passengers", include_internal=True)


def test_an_outlet_filter_is_a_value_never_part_of_the_expression(connect, corpus_dir, write_article):
    engine = connect()
    write_ferry(write_article, 1)
    engine.ingest([corpus_dir])
    hostile = 'x" or status == "retracted" or outlet_key == "'
    with pytest.raises(BadFilterError, match="Known outlets: Harbour Ledger"):
        engine.ask("ferry passengers?", filters=ArticleFilter(outlet=hostile))
    assert engine.search("ferry passengers", filters=ArticleFilter(outlet="harbour ledger"))


@pytest.mark.parametrize("writes", [1, 2, 5, 9, 10, 13, 15, 17])
def test_an_ingest_killed_mid_batch_leaves_the_archive_answering_and_its_rerun_stores_every_article_once(
    connect, milvus, prefix, corpus_dir, write_article, tmp_path, process_env, writes
):
    engine = connect()
    write_ferry(write_article, 0)
    write_ferry(write_article, 1)
    engine.ingest([corpus_dir])
    question = "How many passengers did ferry number 1 carry in 2022?"
    write_ferry(write_article, 0, passengers=2500)  # replaced by the killed ingest
    for n in range(2, 8):
        write_ferry(write_article, n)
    env = {
        **process_env,
        "NEWSBOT_ARCHIVE_URL": f"milvus://{milvus.host}:{milvus.port}",
        "NEWSBOT_ARCHIVE_COLLECTIONS": prefix,
        "NEWSBOT_INDEX_DIR": str(tmp_path / "index"),
    }
    killed = subprocess.run(
        [
            sys.executable,
            str(DIE_MID_WRITE),
            str(writes),
            "--batch",
            "2",
            "--",
            "ingest",
            "--quiet",
            corpus_dir,
        ],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()

    assert any("ferry-1" in a for a in cited(engine, question))  # what was stored still answers
    assert engine.stats().articles < 8

    report = connect().ingest([corpus_dir])
    assert len(report.added) + len(report.updated) + report.unchanged == 8
    with engine.snapshot() as archive:
        stored = archive.article_index()
        counts = archive.counts()
        infos = [archive.find_article(a, include_internal=False) for a in stored]
    assert len(stored) == 8 and counts["articles"] == 8
    # Every article's rows once, none left of the killed write.
    assert counts["chunks"] == sum(i.chunks for i in infos if i)
    assert counts["sentences"] == sum(i.sentences for i in infos if i)
    for n in range(1, 8):
        assert any(
            f"ferry-{n}" in a for a in cited(engine, f"How many passengers did ferry number {n} carry?")
        )


def test_a_restarted_server_answers_from_the_archive_it_keeps(tmp_path, corpus_dir, write_article):
    write_ferry(write_article, 1)

    def engine_on(location: RemoteLocation) -> Engine:
        return Engine.open_remote(
            location, HashingEncoder(), token="", collections="kept", uploads=tmp_path / "uploads",
            create=True, params=SMALL_BATCHES, today=lambda: SEED_TODAY,
        )  # fmt: skip

    with milvus_server(tmp_path / "data", log=tmp_path / "first.log") as first:
        engine = engine_on(first)
        engine.ingest([corpus_dir])
        before = engine.ask("How many passengers did ferry number 1 carry in 2022?")
        engine.close()
    with milvus_server(tmp_path / "data", log=tmp_path / "second.log") as second:
        engine = engine_on(second)
        try:
            assert engine.ask("How many passengers did ferry number 1 carry in 2022?") == before
            assert engine.ingest([corpus_dir]).unchanged == 1
        finally:
            engine.close()


def test_an_archive_not_made_yet_is_reported_with_what_to_do(connect):
    with pytest.raises(IndexMissingError, match="run `newsbot ingest` first"):
        connect(create=False)


def test_an_archive_of_another_model_is_refused(connect, milvus, prefix, tmp_path):
    connect().close()
    with pytest.raises(IndexIncompatibleError, match="hashing-test-encoder"):
        MilvusArchive.connect(
            milvus,
            token="",
            prefix=prefix,
            model="other-model",
            dimension=768,
            create=False,
            uploads=tmp_path / "uploads",
        )


def test_an_unreachable_server_is_a_message_without_the_token(tmp_path, caplog):
    closed = RemoteLocation(host=LOOPBACK, port=free_port(), tls=False)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ArchiveUnreachableError, match=f"milvus://{LOOPBACK}:{closed.port}") as raised:
        MilvusArchive.connect(
            closed,
            token="newsbot:hunter2",
            prefix="newsbot",
            model="m",
            dimension=4,
            create=True,
            uploads=tmp_path / "uploads",
            params=RemoteParams(timeout_s=2),
        )
    assert "hunter2" not in str(raised.value)
    assert "hunter2" not in caplog.text
