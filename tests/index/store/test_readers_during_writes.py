"""Questions asked while an ingest runs get a whole answer from one committed generation: the
one before the write or the one after, never an error or a mix of the two."""

from __future__ import annotations

import re
import sqlite3
import threading
from pathlib import Path

import pytest

import index.ingest.pipeline as pipeline
import index.store.store as store_module
from index.engine import Engine
from index.params import AnswerParams, EngineParams, IngestParams, RerankParams
from index.store.builds import IndexFolder
from index.store.schema import DB_NAME
from index.store.store import Store
from index.store.vector_files import vector_path
from tests.fixtures.encoder import HashingEncoder

ARTICLES = 8
ROUNDS = 12
READERS = 3
NOUNS = ["potholes", "burglaries", "floods", "fires", "arrests", "permits", "evictions", "strikes"]
WAIT = 30.0  # seconds: a bound against hangs, never a measurement
CITE_ALL = EngineParams(
    answer=AnswerParams(
        threshold=-1.0,
        dense_margin=10.0,
        max_answers=20,
        max_citations=20,
        rerank=RerankParams(depth=1000),
    )
)


def text(n: int, round_: int) -> str:
    """Every sentence names its round, so a citation tells which generation it came from."""
    return (
        f"In round {round_}, the city counted {100 * round_ + n:,} {NOUNS[n]} in 2021, officials said.\n"
        f"The round {round_} {NOUNS[n]} figures were published in 2022.\n"
    )


def write_round(corpus: Path, round_: int) -> None:
    """Every article rewritten for this round, except one that is removed (a different one each
    round, so removals and re-additions are written too)."""
    for n in range(ARTICLES):
        path = corpus / f"story-{n}.md"
        if n == round_ % ARTICLES:
            path.unlink(missing_ok=True)
        else:
            path.write_text(f"---\nurl: https://rw.example/{n}\n---\n{text(n, round_)}")


def round_of(answer) -> int | None:
    rounds = {int(re.search(r"round (\d+)", c.sentence, re.I).group(1)) for c in answer.quoted}
    assert len(rounds) <= 1, f"one answer quotes several generations: {rounds}"
    return rounds.pop() if rounds else None


def assert_from_round(answer, round_: int) -> None:
    for c in answer.quoted:
        n = int(c.source.article_id.rsplit("/", 1)[1])
        assert n != round_ % ARTICLES, "a removed article was cited"
        assert text(n, round_)[c.start : c.end] == c.sentence


def test_readers_with_their_own_engines_and_the_writers_engine_see_whole_generations(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    write_round(corpus, 0)
    writer = Engine.open(index_dir, HashingEncoder(), create=True, params=CITE_ALL)
    writer.ingest([corpus])

    committed = writing = 0
    answered = [0] * (READERS + 1)  # answers per reader, so rounds wait until all were read
    progress = threading.Condition()
    done = threading.Event()
    problems: list[BaseException] = []
    seen: set[int] = set()

    def read(reader: int, engine: Engine) -> None:
        try:
            while not done.is_set():
                for n in range(ARTICLES):
                    lowest = committed
                    answer = engine.ask(f"how many {NOUNS[n]} in 2021?")
                    stats = engine.stats()
                    assert stats.vectors == stats.chunks
                    round_ = round_of(answer)
                    if round_ is not None:
                        assert lowest <= round_ <= writing, "an answer from outside the ingest's span"
                        assert_from_round(answer, round_)
                        seen.add(round_)
                with progress:
                    answered[reader] += 1
                    progress.notify_all()
        except BaseException as exc:
            problems.append(exc)
            done.set()

    own = [Engine.open(index_dir, HashingEncoder(), params=CITE_ALL) for _ in range(READERS)]
    threads = [threading.Thread(target=read, args=(i, e)) for i, e in enumerate([*own, writer])]
    for thread in threads:
        thread.start()
    try:
        for round_ in range(1, ROUNDS + 1):
            write_round(corpus, round_)
            writing = round_
            writer.ingest([corpus])
            committed = round_
            with progress:  # every reader asks all its questions at least once in this generation
                target = [count + 2 for count in answered]
                assert progress.wait_for(
                    lambda target=target: (
                        done.is_set() or all(a >= t for a, t in zip(answered, target, strict=True))
                    ),
                    WAIT,
                )
            if done.is_set():
                break
    finally:
        done.set()
        for thread in threads:
            thread.join(WAIT)
        for engine in [*own, writer]:
            engine.close()
    if problems:
        raise problems[0]
    assert set(range(1, ROUNDS + 1)) <= seen


def test_a_question_is_answered_between_two_batches_of_one_ingest(tmp_path, monkeypatch):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    write_round(corpus, 1)
    one_a_batch = CITE_ALL.model_copy(update={"ingest": IngestParams(batch_articles=1)})
    engine = Engine.open(index_dir, HashingEncoder(), create=True, params=one_a_batch)
    prepare, batches = pipeline.prepare, []
    second_batch, release = threading.Event(), threading.Event()

    def paused_prepare(articles, *rest, **options):
        batches.append(articles)
        if len(batches) == 2:
            second_batch.set()
            assert release.wait(WAIT)
        return prepare(articles, *rest, **options)

    monkeypatch.setattr(pipeline, "prepare", paused_prepare)
    ingesting = threading.Thread(target=engine.ingest, args=([corpus],))
    ingesting.start()
    try:
        assert second_batch.wait(WAIT)
        asked: list = []
        asking = threading.Thread(target=lambda: asked.append(engine.ask("what was counted in 2021?")))
        asking.start()
        asking.join(WAIT)
        assert asked, "the question waited for the whole ingest"
        [first] = batches[0]
        assert {c.source.article_id for c in asked[0].quoted} == {first.article_id}
    finally:
        release.set()
        ingesting.join(WAIT)
        engine.close()


@pytest.fixture
def two_generations(tmp_path):
    corpus, index_dir = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    engine = Engine.open(index_dir, HashingEncoder(), create=True)
    write_round(corpus, 1)
    engine.ingest([corpus])
    engine.close()
    return corpus, index_dir


def test_a_reader_whose_faiss_file_was_dropped_meanwhile_rebuilds_its_own_generation(two_generations):
    corpus, index_dir = two_generations
    reader = Store.open_existing(index_dir)
    writer = Engine.open(index_dir, HashingEncoder())
    try:
        with reader.snapshot():
            seen, chunks = reader.generation(), reader.counts()["chunks"]
            for round_ in (2, 3):  # two newer, larger generations: the reader's file is dropped
                write_round(corpus, round_)
                (corpus / f"extra-{round_}.md").write_text(text(round_, round_))
                writer.ingest([corpus])
            assert not vector_path(IndexFolder(index_dir).live(), seen).exists()
            assert reader.vectors().size == chunks == reader.counts()["chunks"]
            assert reader.generation() == seen
        assert reader.counts()["chunks"] == chunks + 2  # what the reader did not see
    finally:
        reader.close()
        writer.close()


def test_old_faiss_files_are_dropped_only_while_no_other_writer_can_write(two_generations, monkeypatch):
    # Otherwise a writer that committed could drop the file another writer saved just after.
    corpus, index_dir = two_generations
    drop, probed = store_module.keep_newest, []

    def probing_drop(build, files):
        other = sqlite3.connect(index_dir / DB_NAME, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
        probed.append(files)
        return drop(build, files)

    monkeypatch.setattr(store_module, "keep_newest", probing_drop)
    engine = Engine.open(index_dir, HashingEncoder())
    try:
        write_round(corpus, 2)
        engine.ingest([corpus])
    finally:
        engine.close()
    assert probed
