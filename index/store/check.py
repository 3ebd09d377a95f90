"""The consistency check of a committed generation: every vector has its SQLite and full-text
rows and the reverse, and the term counts match the chunks."""

from __future__ import annotations

import sqlite3
from collections import Counter

from ..text.terms import content_terms


def consistency_problems(db: sqlite3.Connection, vector_ids: set[int] | None, vectors_name: str) -> list[str]:
    """What disagrees, read inside the caller's snapshot. `vector_ids` are the chunk ids the
    vectors on disk hold for this generation (`vectors_name` says where they came from); None
    when they could not be read, which the caller reports."""
    chunks = {r[0] for r in db.execute("SELECT id FROM chunks")}
    fts = {r[0] for r in db.execute("SELECT rowid FROM chunks_fts")}
    stored_terms = dict(db.execute("SELECT term, chunks FROM terms"))
    counted_terms = Counter(
        t for (text,) in db.execute("SELECT text FROM chunks") for t in content_terms(text)
    )
    orphans = db.execute(
        "SELECT (SELECT count(*) FROM chunks WHERE article NOT IN (SELECT id FROM articles))"
        " + (SELECT count(*) FROM sentences WHERE article NOT IN (SELECT id FROM articles))"
    ).fetchone()[0]
    problems = []
    if vector_ids is not None:
        if chunks - vector_ids:
            problems.append(f"{len(chunks - vector_ids)} chunks have no vector in {vectors_name}")
        if vector_ids - chunks:
            problems.append(f"{len(vector_ids - chunks)} vectors in {vectors_name} have no chunk")
    if fts != chunks:
        problems.append(f"the full-text index holds {len(fts ^ chunks)} rows it should not or lacks")
    if stored_terms != dict(counted_terms):
        wrong = set(stored_terms.items()) ^ set(counted_terms.items())
        problems.append(f"the term counts disagree with the chunks for {len({t for t, _ in wrong})} terms")
    if orphans:
        problems.append(f"{orphans} sentences or chunks belong to no article")
    return problems
