"""An archive written by `Engine.export_archive` and read by `Engine.import_archive`: the copy
holds the same articles, vectors, retractions, visibility and kept questions, answers alike,
embeds nothing again, and says when it cannot be verified."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

import pytest

from index.engine import Engine
from index.store.records import SENTENCE_VECTORS
from index.store.schema import DB_NAME
from index.transfer.lines import BadExportError, writing
from tests.fixtures.backends import both_backends
from tests.fixtures.encoder import HashingEncoder, PassageEncoder

pytest_generate_tests = both_backends  # engine tests run against both archives

QUESTIONS = ["how many carjackings in Chicago in 2021?", "what is the zeppelin desk budget?"]


class CountingEncoder(HashingEncoder):
    """The HashingEncoder, counting the texts it embeds."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.encoded = 0

    def encode(self, texts):
        self.encoded += len(texts)
        return super().encode(texts)


@pytest.fixture
def archive(open_engine, newsroom_corpus, write_article) -> Engine:
    write_article(
        "withdrawn.md",
        "The mayor said 12 new bridges would open in 2023.\n",
        title="Bridges to open",
        url="https://news.example/bridges",
        published="2022-03-01",
        status="retracted",
    )
    engine = open_engine()
    engine.ingest([newsroom_corpus])
    engine.record_feedback(helpful=True, user_hash="u1", question=QUESTIONS[0])
    engine.record_feedback(helpful=False, user_hash="u2", question=None)
    engine.record_abstention(user_hash="u3", question="how many zeppelins landed in 1990?")
    return engine


def _copy(open_engine, tmp_path: Path, encoder: HashingEncoder | None = None) -> Engine:
    if encoder is None:
        return open_engine(directory=tmp_path / "copy")
    return Engine.open(tmp_path / "copy", encoder, create=True)


@pytest.mark.parametrize("name", ["archive.jsonl", "archive.jsonl.gz"])
def test_an_imported_archive_holds_what_was_exported_and_answers_alike(archive, open_engine, tmp_path, name):
    written = archive.export_archive(tmp_path / name)
    assert (written.articles, written.feedback, written.abstentions) == (4, 2, 1)
    assert written.samples == 3  # a first sentence of each published article (a retracted one is never found)

    copy = open_engine(directory=tmp_path / "copy")
    done = copy.import_archive(tmp_path / name)

    assert done.verified and done.misses == [] and done.samples == 3
    assert done.stored == done.expected == (4, written.sentences, written.chunks)
    assert (len(done.ingest.added), len(done.ingest.retracted)) == (3, 1)
    assert (done.feedback, done.abstentions) == (2, 1)
    before, after = archive.stats(), copy.stats()
    assert (after.articles, after.retracted, after.internal, after.vectors) == (
        before.articles,
        before.retracted,
        before.internal,
        before.vectors,
    )
    assert (after.feedback_helpful, after.feedback_unhelpful) == (1, 1)
    for question in QUESTIONS:
        for internal in (False, True):
            assert copy.ask(question, include_internal=internal) == archive.ask(
                question, include_internal=internal
            )
    assert copy.coverage_gaps().questions == archive.coverage_gaps().questions


def test_an_import_embeds_no_text_the_export_carries(archive, tmp_path):
    archive.export_archive(tmp_path / "archive.jsonl")
    model = CountingEncoder()
    copy = _copy(None, tmp_path, model)
    try:
        model.encoded = 0
        done = copy.import_archive(tmp_path / "archive.jsonl")
        assert done.embedded == 0
        searched = done.samples  # the sample searches each embed their query, nothing else
        assert model.encoded == searched
    finally:
        copy.close()


def test_importing_again_changes_nothing_and_adds_no_feedback_twice(archive, open_engine, tmp_path):
    archive.export_archive(tmp_path / "archive.jsonl")
    copy = open_engine(directory=tmp_path / "copy")
    copy.import_archive(tmp_path / "archive.jsonl")
    again = copy.import_archive(tmp_path / "archive.jsonl")
    assert again.verified
    assert (again.ingest.added, again.ingest.updated, again.ingest.unchanged) == ([], [], 4)
    assert (again.feedback, again.abstentions) == (0, 0)
    stats = copy.stats()
    assert (stats.feedback_helpful, stats.feedback_unhelpful) == (1, 1)


def test_other_names_of_an_article_are_carried(open_engine, write_article, corpus_dir, tmp_path):
    write_article("a.md", "The council approved 40 new buses.\n", title="Buses", published="2022-05-01")
    write_article("b.md", "The council approved 40 new buses.\n", title="Buses", published="2022-05-01")
    archive = open_engine()
    archive.ingest([corpus_dir])
    [stored] = archive.find_articles("Buses")
    archive.export_archive(tmp_path / "archive.jsonl")
    copy = open_engine(directory=tmp_path / "copy")
    copy.import_archive(tmp_path / "archive.jsonl")
    [copied] = copy.find_articles("Buses")
    assert copied.also_published_as == stored.also_published_as != []


def test_a_copy_whose_searches_differ_is_not_verified(archive, open_engine, tmp_path):
    path = tmp_path / "archive.jsonl"
    archive.export_archive(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    sample = next(line for line in lines if line["kind"] == "sample")
    sample["found"] = ["https://elsewhere.example/never-stored"]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))

    done = open_engine(directory=tmp_path / "copy").import_archive(path)

    assert not done.verified
    [miss] = done.misses
    assert miss.query == sample["query"] and miss.expected == sample["found"] and miss.found != miss.expected


def test_an_export_of_another_model_is_refused_naming_both(archive, tmp_path):
    archive.export_archive(tmp_path / "archive.jsonl")
    other = Engine.open(tmp_path / "copy", HashingEncoder(dimension=128, name="other-model"), create=True)
    try:
        with pytest.raises(BadExportError, match=r"hashing-test-encoder.*other-model"):
            other.import_archive(tmp_path / "archive.jsonl")
    finally:
        other.close()


@pytest.mark.parametrize(
    "content, problem",
    [
        (b'{"kind": "sample", "query": "q", "found": []}\n', "does not start with"),
        (b"not json\n", "line 1: not a line"),
        (gzip.compress(b"cut")[:-4], "cannot be read"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_with_what_is_wrong(open_engine, tmp_path, content, problem):
    path = tmp_path / ("bad.jsonl.gz" if content.startswith(b"\x1f\x8b") else "bad.jsonl")
    path.write_bytes(content)
    with pytest.raises(BadExportError, match=problem):
        open_engine(directory=tmp_path / "copy").import_archive(path)


def test_an_interrupted_export_leaves_no_file_that_looks_whole(tmp_path):
    with pytest.raises(RuntimeError), writing(tmp_path / "archive.jsonl") as out:
        out.write('{"kind": "header"}\n')
        raise RuntimeError("killed")
    assert not (tmp_path / "archive.jsonl").exists()


def _made_before(engine: Engine) -> None:
    """The engine's archive as one made before sentences were read in their chunks."""
    with sqlite3.connect(engine._store.build / DB_NAME) as db:  # type: ignore[attr-defined]
        db.execute("DELETE FROM meta WHERE key = ?", (SENTENCE_VECTORS,))
    db.close()


def _header(path: Path) -> dict:
    return json.loads(path.read_text().splitlines()[0])


@pytest.mark.embedded_only
def test_an_export_says_how_its_sentence_vectors_were_made(archive, tmp_path, newsroom_corpus):
    archive.export_archive(tmp_path / "new.jsonl")
    assert _header(tmp_path / "new.jsonl")["sentences_in_chunk"] is True
    before = Engine.open(tmp_path / "before", HashingEncoder(), create=True)
    try:
        _made_before(before)
        before.ingest([newsroom_corpus])
        before.export_archive(tmp_path / "before.jsonl")
    finally:
        before.close()
    assert _header(tmp_path / "before.jsonl")["sentences_in_chunk"] is False


@pytest.mark.embedded_only
def test_vectors_of_another_kind_are_embedded_again_on_import(tmp_path, newsroom_corpus):
    """An export from an archive made before, into a new one: its sentences are read in their
    chunks again, so that the new archive holds one kind of vector."""
    before = Engine.open(tmp_path / "before", HashingEncoder(), create=True)
    try:
        _made_before(before)
        before.ingest([newsroom_corpus])
        written = before.export_archive(tmp_path / "before.jsonl")
    finally:
        before.close()
    model = PassageEncoder()
    copy = _copy(None, tmp_path, model)
    try:
        done = copy.import_archive(tmp_path / "before.jsonl")
        assert done.verified and done.stored == done.expected
        # Every chunk, and every sentence but boilerplate, read in its chunk's pass.
        assert 0 < model.pooled < written.sentences
        assert done.embedded == written.chunks + model.pooled
    finally:
        copy.close()
