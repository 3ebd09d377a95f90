"""The consistency check of a committed generation: every FAISS id has its SQLite and full-text
rows and the reverse, and the term counts match the chunks."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from ..params import VectorParams
from ..text.terms import content_terms
from .vectors import VectorIndex


def consistency_problems(
    db: sqlite3.Connection, faiss_path: Path | None, dimension: int, params: VectorParams
) -> list[str]:
    """What disagrees, read inside the caller's snapshot; `faiss_path` is None for generation 0
    (the empty index has no file).

    Reads the generation's FAISS file from disk, not a cached or rebuilt index, so a file that
    lost or gained chunks cannot hide behind the rebuild in `Store.vectors()`.
    """
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
    name = faiss_path.name if faiss_path else "the empty index"
    try:
        vectors = VectorIndex.load(faiss_path, dimension, params) if faiss_path else None
        in_faiss = {int(i) for i in vectors.ids()} if vectors else set()
    except ValueError as exc:
        problems.append(str(exc))
    else:
        if chunks - in_faiss:
            problems.append(f"{len(chunks - in_faiss)} chunks have no vector in {name}")
        if in_faiss - chunks:
            problems.append(f"{len(in_faiss - chunks)} vectors in {name} have no chunk")
    if fts != chunks:
        problems.append(f"the full-text index holds {len(fts ^ chunks)} rows it should not or lacks")
    if stored_terms != dict(counted_terms):
        wrong = set(stored_terms.items()) ^ set(counted_terms.items())
        problems.append(f"the term counts disagree with the chunks for {len({t for t, _ in wrong})} terms")
    if orphans:
        problems.append(f"{orphans} sentences or chunks belong to no article")
    return problems
