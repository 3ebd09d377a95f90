"""One FAISS index measured over an archive's chunks: recall@10 against exact search, search time,
the efSearch sweep, its file's bytes per chunk and load time; and the baseline's exact index."""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import EngineParams, RetrievalParams, VectorParams
from index.store.vectors import VectorIndex

from .measure import pct

# The HNSW search breadths swept at each size.
SWEEP = (64, 128, 256, 512, 1024)


def search_k(params: RetrievalParams) -> int:
    """How many nearest chunks retrieval asks FAISS for: its depth, over-fetched."""
    return params.depth * params.overfetch


@dataclass
class IndexFigures:
    """One FAISS index over an archive's chunks: its recall@10 against exact search, one search's
    time, its file's bytes per chunk and load time, and for HNSW the search breadth sweep."""

    kind: str
    recall10: float
    search_ms: float
    bytes_per_chunk: float
    load_ms: float
    ef_search: int | None
    ef_sweep: dict[int, tuple[float, float]]


def exact_nearest(ids: np.ndarray, matrix: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """The ids of each query's 10 nearest vectors by exact inner product."""
    return ids[np.argsort(-(queries @ matrix.T), axis=1, kind="stable")[:, :10]]


def recall_at_10(found: Sequence[Sequence[int]], exact: np.ndarray) -> float:
    """How many of each query's exact 10 nearest are among the first 10 it found, on average."""
    return float(
        np.mean(
            [len(set(hits[:10]) & set(truth.tolist())) / 10 for hits, truth in zip(found, exact, strict=True)]
        )
    )


def _recall_and_search(
    index: VectorIndex,
    ids: np.ndarray,
    matrix: np.ndarray,
    queries: np.ndarray,
    k: int,
    ef: int | None = None,
) -> tuple[float, float]:
    """Recall@10 against exact search, and the median milliseconds of a search for `k` chunks."""
    found, times = [], []
    for q in queries:
        start = time.perf_counter()
        hits = index.search(q, k, ef=ef)
        times.append(time.perf_counter() - start)
        found.append([i for i, _ in hits])
    return recall_at_10(found, exact_nearest(ids, matrix, queries)), 1000 * pct(times, 50)


def _load_ms(path: Path, dimension: int, params: VectorParams, repeat: int) -> float:
    """Median milliseconds to open an index file and answer one query."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        index = VectorIndex.load(path, dimension, params)
        index.search(np.ones(dimension, np.float32) / np.sqrt(dimension), 10)
        times.append(time.perf_counter() - start)
        del index
        gc.collect()
    return 1000 * float(np.median(times))


def measure_index(
    index: VectorIndex,
    ids: np.ndarray,
    matrix: np.ndarray,
    queries: np.ndarray,
    path: Path,
    params: EngineParams,
    *,
    load_repeat: int = 3,
) -> IndexFigures:
    """`index` over the chunks `ids` (vectors `matrix`), searched for `queries` and saved to
    `path` to be weighed and loaded (the file is removed afterwards)."""
    k = search_k(params.retrieval)
    recall, search_ms = _recall_and_search(index, ids, matrix, queries, k)
    hnsw = index.kind == "hnsw"
    sweep = {ef: _recall_and_search(index, ids, matrix, queries, k, ef=ef) for ef in SWEEP} if hnsw else {}
    index.save(path)
    try:
        return IndexFigures(
            kind=index.kind,
            recall10=recall,
            search_ms=search_ms,
            bytes_per_chunk=path.stat().st_size / len(ids),
            load_ms=_load_ms(path, index.dimension, params.vectors, load_repeat),
            ef_search=params.vectors.ef_for(len(ids)) if hnsw else None,
            ef_sweep=sweep,
        )
    finally:
        path.unlink()


def flat_baseline(ids: np.ndarray, matrix: np.ndarray, params: VectorParams) -> VectorIndex:
    """The baseline's index: exact search over every vector, whatever their number."""
    return VectorIndex.build(matrix.shape[1], ids, matrix, params.model_copy(update={"flat_max": len(ids)}))
