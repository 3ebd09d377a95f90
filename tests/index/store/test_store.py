"""The index directory: manifest checked on open, damage reported in one line or repaired, counts
consistent, vector files written once per ingest and as the umask says."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
import stat

import pytest

from index.engine import Engine
from index.errors import IndexDamagedError, IndexIncompatibleError, IndexMissingError, UserError
from index.params import EngineParams, IngestParams
from index.store.builds import IndexFolder
from index.store.schema import DB_NAME, FORMAT_VERSION, MANIFEST_NAME
from index.store.store import Store
from index.store.vectors import VectorIndex
from index.text.fingerprint import text_fingerprint
from index.text.terms import content_terms
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.reranker import FAKE_MODEL_PARAMS, OverlapReranker

MODEL = "hashing-test-encoder"


@pytest.fixture
def built_index(index_dir, newsroom_corpus, encoder):
    """An index of the newsroom corpus, closed again: the directory as a later process finds it."""
    engine = Engine.open(index_dir, encoder, create=True)
    engine.ingest([newsroom_corpus])
    engine.close()
    return index_dir


def faiss_files(index_dir):
    return sorted(IndexFolder(index_dir).live().glob("vectors-*.faiss"))


def chunk_rows(index_dir) -> int:
    with sqlite3.connect(index_dir / DB_NAME) as db:
        return db.execute("SELECT count(*) FROM chunks").fetchone()[0]


def test_a_missing_index_raises_index_missing_with_the_way_out(tmp_path):
    with pytest.raises(IndexMissingError) as caught:
        Store.open(tmp_path / "nowhere", MODEL, 384, create=False)
    assert "newsbot ingest" in str(caught.value)
    assert not (tmp_path / "nowhere").exists(), "opening without create makes no directory"
    with pytest.raises(IndexMissingError):
        Store.open_existing(tmp_path / "nowhere")


def test_creating_an_index_writes_the_manifest(index_dir):
    store = Store.open(index_dir, MODEL, 384, create=True)
    store.close()
    manifest = json.loads((index_dir / MANIFEST_NAME).read_text())
    assert manifest["model"] == MODEL
    assert manifest["dimension"] == 384
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["articles"] == manifest["chunks"] == 0


def test_the_manifest_records_counts_after_ingest(built_index):
    manifest = json.loads((built_index / MANIFEST_NAME).read_text())
    assert manifest["model"] == MODEL and manifest["dimension"] == 384
    assert manifest["articles"] == 3 and manifest["internal"] == 1
    assert manifest["chunks"] == chunk_rows(built_index) > 0
    assert manifest["generation"] >= 1


def test_opening_with_another_model_raises_index_incompatible_naming_both(built_index):
    with pytest.raises(IndexIncompatibleError) as caught:
        Store.open(built_index, "sentence-transformers/all-MiniLM-L6-v2", 384, create=False)
    message = str(caught.value)
    assert MODEL in message and "all-MiniLM-L6-v2" in message
    assert "--rebuild" in message
    assert isinstance(caught.value, UserError)


def test_opening_with_another_dimension_raises_index_incompatible(built_index):
    with pytest.raises(IndexIncompatibleError) as caught:
        Engine.open(built_index, HashingEncoder(dimension=128))
    assert "384" in str(caught.value) and "128" in str(caught.value)


def test_another_format_version_raises_index_incompatible(built_index):
    with sqlite3.connect(built_index / DB_NAME) as db:
        db.execute("UPDATE meta SET value = '999' WHERE key = 'format_version'")
    with pytest.raises(IndexIncompatibleError, match="format 999"):
        Store.open(built_index, MODEL, 384, create=False)


def test_open_existing_reads_model_and_dimension_back(built_index):
    store = Store.open_existing(built_index)
    try:
        assert (store.model, store.dimension) == (MODEL, 384)
    finally:
        store.close()


def test_a_manifest_that_disagrees_with_the_database_is_rewritten(built_index):
    (built_index / MANIFEST_NAME).write_text("{not json")
    Store.open(built_index, MODEL, 384, create=False).close()
    assert json.loads((built_index / MANIFEST_NAME).read_text())["model"] == MODEL


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda path: path.write_bytes(b"garbage" * 64), id="garbage"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:100]), id="truncated"),
        pytest.param(lambda path: path.write_bytes(b""), id="empty"),
        pytest.param(lambda path: path.unlink(), id="missing"),
    ],
)
def test_a_damaged_faiss_file_is_rebuilt_from_the_database(built_index, encoder, damage):
    (faiss_path,) = faiss_files(built_index)
    damage(faiss_path)
    engine = Engine.open(built_index, encoder)
    try:
        stats = engine.stats()
        assert stats.vectors == stats.chunks == chunk_rows(built_index)
        hits = engine.search("lifeguards lakefront beaches")
        assert hits and hits[0].source.title == "Lake Michigan beaches reopen"
    finally:
        engine.close()


def test_a_faiss_file_of_another_dimension_is_rebuilt(built_index, newsroom_corpus, encoder, tmp_path):
    other = tmp_path / "other"
    small = Engine.open(other, HashingEncoder(dimension=16, name=MODEL), create=True)
    small.ingest([newsroom_corpus])
    small.close()
    (target,) = faiss_files(built_index)
    (source,) = faiss_files(other)
    shutil.copyfile(source, target)
    engine = Engine.open(built_index, encoder)
    try:
        assert engine.stats().vectors == chunk_rows(built_index)
    finally:
        engine.close()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: b"this is not a database" * 200, id="garbage"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
    ],
)
def test_a_damaged_database_raises_index_incompatible(built_index, encoder, damage):
    db_path = built_index / DB_NAME
    db_path.write_bytes(damage(db_path.read_bytes()))
    with pytest.raises(IndexIncompatibleError) as caught:
        Engine.open(built_index, encoder)
    assert "damaged" in str(caught.value) and "--rebuild" in str(caught.value)
    with pytest.raises(IndexIncompatibleError):
        Store.open_existing(built_index)


def test_faiss_size_equals_chunk_rows_through_adds_updates_and_removals(
    index_dir, newsroom_corpus, open_engine, write_article
):
    engine = open_engine()

    def consistent():
        stats = engine.stats()
        assert stats.vectors == stats.chunks == chunk_rows(index_dir)
        manifest = json.loads((index_dir / MANIFEST_NAME).read_text())
        assert manifest["chunks"] == stats.chunks and manifest["articles"] == stats.articles
        return stats

    engine.ingest([newsroom_corpus])
    first = consistent()
    write_article("beaches.txt", "Lake Michigan beaches reopen\nLifeguards returned on Tuesday.\n")
    engine.ingest([newsroom_corpus])
    consistent()
    (newsroom_corpus / "carjackings-2021.md").unlink()
    engine.ingest([newsroom_corpus])
    after = consistent()
    assert after.articles == first.articles - 1
    assert after.chunks < first.chunks


def test_only_the_current_and_previous_faiss_files_are_kept(
    index_dir, newsroom_corpus, open_engine, write_article
):
    engine = open_engine()
    for n in range(4):
        write_article("beaches.txt", f"Lake Michigan beaches reopen\nLifeguards returned to {n} beaches.\n")
        engine.ingest([newsroom_corpus])
    assert len(faiss_files(index_dir)) <= 2


REOPEN_QUESTIONS = [
    "how many carjackings in Chicago in 2021?",
    "how many carjackings in 2019?",
    "where did lifeguards return?",
    "what is the zeppelin desk budget?",
]


def test_a_reopened_index_answers_like_the_one_that_built_it(index_dir, newsroom_corpus, encoder):
    reranker = OverlapReranker()
    builder = Engine.open(index_dir, encoder, reranker=reranker, create=True, params=FAKE_MODEL_PARAMS)
    try:
        builder.ingest([newsroom_corpus])
        before = [builder.ask(q, include_internal=True) for q in REOPEN_QUESTIONS]
        hits_before = builder.search("lifeguards lakefront beaches")
    finally:
        builder.close()
    reopened = Engine.open(index_dir, encoder, reranker=reranker, params=FAKE_MODEL_PARAMS)
    try:
        assert [reopened.ask(q, include_internal=True) for q in REOPEN_QUESTIONS] == before
        assert reopened.search("lifeguards lakefront beaches") == hits_before
    finally:
        reopened.close()
    assert any(not a.abstained for a in before) and any(a.abstained for a in before)
    assert hits_before[0].source.title == "Lake Michigan beaches reopen"


def stored_term_counts(index_dir) -> dict[str, int]:
    with sqlite3.connect(index_dir / DB_NAME) as db:
        return dict(db.execute("SELECT term, chunks FROM terms"))


def counted_from_chunks(index_dir) -> dict[str, int]:
    with sqlite3.connect(index_dir / DB_NAME) as db:
        texts = [t for (t,) in db.execute("SELECT text FROM chunks")]
    counts: dict[str, int] = {}
    for text in texts:
        for term in content_terms(text):
            counts[term] = counts.get(term, 0) + 1
    return counts


def test_term_counts_follow_the_chunks_through_adds_updates_and_removals(
    index_dir, newsroom_corpus, open_engine, write_article
):
    engine = open_engine()
    engine.ingest([newsroom_corpus])
    assert stored_term_counts(index_dir) == counted_from_chunks(index_dir)
    write_article("beaches.txt", "Lake Michigan beaches reopen\nLifeguards returned on Tuesday.\n")
    engine.ingest([newsroom_corpus])
    assert stored_term_counts(index_dir)["lifeguard"] == 1
    write_article("beaches.txt", "Lake Michigan beaches reopen\nSwimmers returned on Tuesday.\n")
    engine.ingest([newsroom_corpus])
    (newsroom_corpus / "carjackings-2021.md").unlink()
    engine.ingest([newsroom_corpus])
    counts = stored_term_counts(index_dir)
    assert counts == counted_from_chunks(index_dir)
    assert "lifeguard" not in counts and counts["swimmer"] == 1
    assert "carjack" not in counts


def test_check_reports_term_counts_that_disagree_with_the_chunks(built_index):
    with sqlite3.connect(built_index / DB_NAME) as db:
        db.execute("UPDATE terms SET chunks = chunks + 1 WHERE term = 'carjack'")
    store = Store.open(built_index, MODEL, 384, create=False)
    try:
        assert any("term counts" in problem for problem in store.check())
    finally:
        store.close()


def test_a_format_1_index_is_upgraded_in_place_and_answers_the_same(built_index, encoder):
    engine = Engine.open(built_index, encoder)
    before = engine.search("lifeguards lakefront beaches")
    engine.close()
    # Format 1: the full-text table held the chunk text under the porter tokenizer, no counts.
    with sqlite3.connect(built_index / DB_NAME) as db:
        db.execute("DROP TABLE chunks_fts")
        db.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(text, tokenize='porter unicode61')")
        db.execute("INSERT INTO chunks_fts(rowid, text) SELECT id, text FROM chunks")
        db.execute("DROP TABLE terms")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
    store = Store.open(built_index, MODEL, 384, create=False)
    try:
        assert store.check() == []
        assert store.meta()["format_version"] == str(FORMAT_VERSION)
    finally:
        store.close()
    assert stored_term_counts(built_index) == counted_from_chunks(built_index)
    engine = Engine.open(built_index, encoder)
    try:
        assert engine.search("lifeguards lakefront beaches") == before
    finally:
        engine.close()
    assert json.loads((built_index / MANIFEST_NAME).read_text())["format_version"] == FORMAT_VERSION


def as_format_2(index_dir) -> None:
    """The index as newsbot left it before articles had fingerprints and other names."""
    with contextlib.closing(sqlite3.connect(index_dir / DB_NAME)) as db, db:
        db.execute("ALTER TABLE articles DROP COLUMN fingerprint")
        db.execute("ALTER TABLE articles DROP COLUMN also_published_as")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'format_version'")


def test_a_format_2_index_is_upgraded_in_place_and_then_finds_duplicates(
    built_index, encoder, newsroom_corpus, write_article, tmp_path
):
    as_format_2(built_index)
    engine = Engine.open(built_index, encoder)
    try:
        with sqlite3.connect(built_index / DB_NAME) as db:
            rows = db.execute("SELECT text, fingerprint, also_published_as FROM articles").fetchall()
        assert [(f, also) for _, f, also in rows] == [(text_fingerprint(t), "[]") for t, _, _ in rows]
        copy = (
            (newsroom_corpus / "carjackings-2021.md")
            .read_text()
            .replace("news.example/2022/01/carjackings-2021", "wire.example/carjackings")
        )
        (tmp_path / "wire").mkdir()
        (tmp_path / "wire" / "copy.md").write_text(copy)
        report = engine.ingest([tmp_path / "wire"])
        assert [d.of for d in report.duplicates] == ["https://news.example/2022/01/carjackings-2021"]
        assert engine.article(report.duplicates[0].of).also_published_as == [
            "https://wire.example/carjackings"
        ]
    finally:
        engine.close()
    assert json.loads((built_index / MANIFEST_NAME).read_text())["format_version"] == FORMAT_VERSION


FEEDS_TABLES = ("feed_state", "page_state", "article_notes", "abstentions")


def test_a_format_3_index_gets_the_tables_of_feeds_notes_and_abstentions_and_keeps_its_feedback(
    built_index, encoder, write_article, corpus_dir
):
    engine = Engine.open(built_index, encoder)
    engine.record_feedback(helpful=True, user_hash="u", question="q")
    engine.close()
    with contextlib.closing(sqlite3.connect(built_index / DB_NAME)) as db, db:
        for table in FEEDS_TABLES:
            db.execute(f"DROP TABLE {table}")
        db.execute("UPDATE meta SET value = '3' WHERE key = 'format_version'")
    engine = Engine.open(built_index, encoder)
    try:
        with contextlib.closing(sqlite3.connect(built_index / DB_NAME)) as db:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = db.execute("SELECT value FROM meta WHERE key = 'format_version'").fetchone()[0]
        assert set(FEEDS_TABLES) <= tables and version == str(FORMAT_VERSION)
        assert engine.stats().feedback_helpful == 1
        write_article("corrected.md", "Crews replaced the pipe.\n\nCorrection: It was 90 years old, not 60.")
        assert engine.ingest([corpus_dir]).added
        with contextlib.closing(sqlite3.connect(built_index / DB_NAME)) as db:
            notes = db.execute("SELECT note FROM article_notes").fetchall()
        assert notes == [("Correction: It was 90 years old, not 60.",)]
        engine.record_abstention(user_hash="u", question="When does the pool open?")
        with engine.snapshot() as store:
            assert store.unanswered(10) == ["When does the pool open?"]
    finally:
        engine.close()
    assert json.loads((built_index / MANIFEST_NAME).read_text())["format_version"] == FORMAT_VERSION


# ---- opening what is not a database ------------------------------------------------------------


def test_a_zero_byte_database_is_refused_not_made_an_empty_archive(built_index, encoder):
    (built_index / DB_NAME).write_bytes(b"")
    for opening in (
        lambda: Engine.open(built_index, encoder),
        lambda: Engine.open(built_index, encoder, create=True),
        lambda: Store.open_existing(built_index),
    ):
        with pytest.raises(IndexDamagedError, match=r"empty.*--rebuild"):
            opening()
    assert (built_index / DB_NAME).stat().st_size == 0


# ---- vector and manifest files ------------------------------------------------------------------


def test_a_lost_vector_file_is_rebuilt_once_and_saved_for_the_next_start(built_index, encoder, caplog):
    (faiss_path,) = faiss_files(built_index)
    faiss_path.unlink()
    first = Engine.open(built_index, encoder)
    try:
        assert first.stats().vectors == chunk_rows(built_index)
    finally:
        first.close()
    assert faiss_files(built_index) == [faiss_path]
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        second = Engine.open(built_index, encoder)
        try:
            assert second.stats().vectors == chunk_rows(built_index)
        finally:
            second.close()
    assert not [r for r in caplog.records if "rebuild" in r.getMessage()]


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_index_files_and_uploads_are_made_as_the_umask_says(index_dir, newsroom_corpus, encoder, umask):
    previous = os.umask(umask)
    try:
        engine = Engine.open(index_dir, encoder, create=True)
        try:
            engine.ingest([newsroom_corpus])
            upload = engine.save_upload("story.md", b"Text.")
        finally:
            engine.close()
    finally:
        os.umask(previous)
    made = [built_index_file(index_dir, MANIFEST_NAME), *faiss_files(index_dir), upload]
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in made} == {p.name: 0o666 & ~umask for p in made}


def built_index_file(index_dir, name):
    return IndexFolder(index_dir).live() / name


def test_an_ingest_writes_the_vector_file_once_however_many_batches(index_dir, newsroom_corpus, monkeypatch):
    saved: list = []
    save = VectorIndex.save
    monkeypatch.setattr(VectorIndex, "save", lambda self, path: (saved.append(path), save(self, path)))
    engine = Engine.open(
        index_dir, HashingEncoder(), create=True, params=EngineParams(ingest=IngestParams(batch_articles=1))
    )
    try:
        engine.ingest([newsroom_corpus])  # three batches
        assert len(saved) == 1
        assert engine.stats().vectors == chunk_rows(index_dir)
    finally:
        engine.close()


def files_on_disk(index_dir) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(index_dir)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in index_dir.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def test_an_ingest_that_changes_nothing_writes_nothing(built_index, newsroom_corpus, encoder):
    before = files_on_disk(built_index)
    engine = Engine.open(built_index, encoder)
    try:
        assert engine.ingest([newsroom_corpus]).unchanged == 3
    finally:
        engine.close()
    assert files_on_disk(built_index) == before
