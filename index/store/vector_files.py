"""The vector files of a build, and what the database says changed since one was written.

`vectors-<generation>.faiss` holds the chunk vectors of one committed generation. It is written
once per ingest, not per batch, so the newest file may be older than the database: chunks added
since have larger ids (ids only grow), and chunks removed since are logged in `removed_chunks`
with the generation that removed them. The newest file plus those changes are the vectors of the
generation a reader sees, whenever the ingest stopped.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import numpy as np

from .records import from_blob

_FILE = re.compile(r"vectors-(\d+)\.faiss")


def vector_path(build: Path, generation: int) -> Path:
    return build / f"vectors-{generation:08d}.faiss"


def saved_generations(build: Path) -> list[int]:
    """The generations that have a vector file, oldest first."""
    return sorted(int(m.group(1)) for p in build.glob("vectors-*.faiss") if (m := _FILE.fullmatch(p.name)))


def newest_saved(build: Path, at_most: int) -> int | None:
    """The newest generation up to `at_most` that has a vector file."""
    return max((g for g in saved_generations(build) if g <= at_most), default=None)


def keep_newest(build: Path, files: int) -> int | None:
    """Deletes all but the newest `files` vector files (and any temporary a crash left); returns
    the oldest generation kept."""
    generations = saved_generations(build)
    for generation in generations[:-files]:
        vector_path(build, generation).unlink(missing_ok=True)
    for tmp in build.glob(".vectors-*.tmp"):
        tmp.unlink(missing_ok=True)
    kept = generations[-files:]
    return kept[0] if kept else None


def changes_since(
    db: sqlite3.Connection, generation: int, largest_id: int, dimension: int
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """(chunk ids removed after `generation`, ids and vectors of the chunks above `largest_id`):
    what turns the vectors of `generation`, whose largest chunk id is `largest_id`, into those of
    the generation `db` sees."""
    removed = (
        [r[0] for r in db.execute("SELECT chunk FROM removed_chunks WHERE generation > ?", (generation,))]
        if generation
        else []  # nothing to remove from the empty index of generation 0
    )
    rows = db.execute("SELECT id, vector FROM chunks WHERE id > ? ORDER BY id", (largest_id,)).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    vectors = np.stack([from_blob(r[1]) for r in rows]) if rows else np.zeros((0, dimension), np.float32)
    return removed, ids, vectors
