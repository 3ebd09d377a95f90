"""The ranking both archives share (index/archive/fusion.py): BM25 as SQLite FTS5 computes it."""

from __future__ import annotations

import sqlite3

import pytest

from index.archive.fusion import bm25
from index.store.schema import DB_NAME
from index.text.terms import content_terms, index_terms


def test_bm25_weighs_a_rarer_term_and_a_shorter_chunk_more():
    holding = {"ferry": 2, "harbour": 8}
    short, long = ["ferry", "harbour"], ["ferry", "harbour", *["word"] * 20]
    assert bm25(short, ["ferry"], holding, 10, 11.0) > bm25(long, ["ferry"], holding, 10, 11.0)
    assert bm25(short, ["ferry"], holding, 10, 11.0) > bm25(short, ["harbour"], holding, 10, 11.0)
    assert bm25(short, ["pier"], holding, 10, 11.0) == 0.0


def test_a_term_most_chunks_hold_still_counts_a_little_as_in_fts5():
    assert 0 < bm25(["harbour"], ["harbour"], {"harbour": 9}, 10, 1.0) < 1e-5


@pytest.mark.embedded_only
def test_bm25_scores_every_chunk_as_the_embedded_archives_fts5_does(
    open_engine, open_archive, newsroom_corpus, index_dir
):
    open_engine().ingest([newsroom_corpus])
    store = open_archive()
    with sqlite3.connect(index_dir / DB_NAME) as db:
        texts = dict(db.execute("SELECT id, text FROM chunks").fetchall())
    tokens = {i: index_terms(t).split() for i, t in texts.items()}
    average = sum(map(len, tokens.values())) / len(tokens)
    for question in ["carjackings in 2021", "zeppelin budget memo", "beaches lifeguards summer"]:
        terms = content_terms(question)
        with store.snapshot():
            holding = store.term_chunks(terms)
            ranked = store.lexical_chunks(terms, 50, include_internal=True)
        assert ranked
        for chunk, score in ranked:
            assert bm25(tokens[chunk], terms, holding, len(texts), average) == pytest.approx(score, rel=1e-4)
