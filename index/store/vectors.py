"""The FAISS index of chunk vectors: ids are chunk ids, vectors are unit length (inner product = cosine).

The kind of index follows the archive's size (`index.params.VectorParams`, measured by
`newsbot bench`, see docs/bench.md):

- up to `flat_max` vectors, exact search (`IndexIDMap2` over `IndexFlatIP`): at that size a
  query costs a few milliseconds and every answer is the true nearest neighbour;
- past it, HNSW over 8-bit scalar-quantised vectors (`IndexIDMap` over `IndexHNSWSQ`, M=32):
  about 0.7 KB per chunk instead of 1.5 KB, well under a millisecond per query, recall@10 >= 0.95
  against exact search with `ef_search` growing with the archive.

Adding vectors never rebuilds an index, except once, when an exact index grows past `flat_max`
and is converted. HNSW cannot delete, so a removed vector's id is overwritten with a negative
tombstone inside the index itself (it is saved with it) and searches skip tombstones; when they
make up more than `compact_fraction` of the index, the live vectors are re-inserted into a fresh
graph with the same quantiser, so nothing is lost to re-quantisation.

Large index files are memory-mapped on load (no copy, fast start); the first write to such an
index copies it into memory first.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ..params import VectorParams
from .atomic import write_atomic

# faiss's SWIG stubs describe the base classes only: the attributes of the classes an index is
# downcast to (id_map, storage, sq, hnsw) are unknown to them, so indexes are typed loosely.
FaissIndex = Any

_TOMBSTONE = -1
_LIVE = faiss.IDSelectorRange(0, 2**62)  # live ids are chunk ids (>= 0); tombstones are < 0


def _as_vectors(vectors: np.ndarray, dimension: int) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dimension))


def _as_ids(ids) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


@contextmanager
def _one_thread() -> Iterator[None]:
    """FAISS on one thread: one query is faster so than on several (no fork-join, no contention)."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


def _vector_view(vector, n: int, dtype=np.int64) -> np.ndarray:
    """A writable numpy view of a FAISS std::vector (no copy)."""
    if n == 0:
        return np.zeros(0, dtype=dtype)
    return faiss.rev_swig_ptr(vector.data(), n)


class VectorIndex:
    def __init__(self, index: FaissIndex, dimension: int, params: VectorParams, *, mapped: bool = False):
        self.dimension = dimension
        self.params = params
        self._mapped = mapped  # memory-mapped from a file: read-only until `_own`
        self._set_index(index)
        self._removed = self._count_tombstones() if self._hnsw is not None else 0

    def _set_index(self, index: FaissIndex) -> None:
        self._index: FaissIndex = index
        self._lookup: tuple[np.ndarray, np.ndarray] | None = None  # see `_positions`
        inner = faiss.downcast_index(index.index)
        self._hnsw: FaissIndex = inner if isinstance(inner, faiss.IndexHNSW) else None
        if self._hnsw is not None:
            # An index saved by an older newsbot links the vectors it gains as this one would.
            self._hnsw.hnsw.efConstruction = self.params.ef_construction

    # ---- construction ----------------------------------------------------------------------

    @classmethod
    def empty(cls, dimension: int, params: VectorParams) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)), dimension, params)

    @classmethod
    def build(cls, dimension: int, ids: np.ndarray, vectors: np.ndarray, params: VectorParams) -> VectorIndex:
        """An index of these vectors, of the kind their number calls for."""
        ids, vectors = _as_ids(ids), _as_vectors(vectors, dimension)
        if len(ids) <= params.flat_max:
            index = cls.empty(dimension, params)
            if len(ids):
                index._index.add_with_ids(vectors, ids)
            return index
        return cls(_new_hnsw(dimension, vectors, ids, params), dimension, params)

    @classmethod
    def load(cls, path: Path, dimension: int, params: VectorParams) -> VectorIndex:
        """Raises ValueError when the file is not a FAISS index of this dimension."""
        path = Path(path)
        try:
            mapped = path.stat().st_size >= params.mmap_min_bytes
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC if mapped else 0)
        except (RuntimeError, OSError) as exc:
            raise ValueError(f"unreadable FAISS file {path.name}: {str(exc).splitlines()[0]}") from None
        if index.d != dimension:
            raise ValueError(f"{path.name} holds {index.d}-dimensional vectors, expected {dimension}")
        if not isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)):
            raise ValueError(f"{path.name} is a FAISS index without chunk ids")
        return cls(index, dimension, params, mapped=mapped)

    # ---- what it is ------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """'flat' (exact) or 'hnsw' (approximate)."""
        return "flat" if self._hnsw is None else "hnsw"

    @property
    def size(self) -> int:
        """Live vectors (tombstones not counted)."""
        return int(self._index.ntotal) - self._removed

    @property
    def mapped(self) -> bool:
        """Still memory-mapped from its file (read-only): nothing has changed it since loading."""
        return self._mapped

    @property
    def tombstones(self) -> int:
        return self._removed

    def ids(self) -> np.ndarray:
        """The live ids, in insertion order."""
        id_map = _vector_view(self._index.id_map, int(self._index.ntotal)).copy()
        return id_map[id_map >= 0]

    # ---- changes ---------------------------------------------------------------------------

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        ids = _as_ids(ids)
        if not len(ids):
            return
        self._lookup = None
        vectors = _as_vectors(vectors, self.dimension)
        self._own()
        if self.kind == "flat":
            if self.size + len(ids) > self.params.flat_max:
                # Converted once: the exact index grew past its size.
                old_ids, old_vectors = self._live_contents()
                self._set_index(
                    _new_hnsw(
                        self.dimension,
                        np.concatenate([old_vectors, vectors]),
                        np.concatenate([old_ids, ids]),
                        self.params,
                    )
                )
                self._removed = 0
                return
            self._index.add_with_ids(vectors, ids)
            return
        self._index.add_with_ids(vectors, ids)

    def remove(self, ids: list[int]) -> None:
        if not len(ids):
            return
        self._lookup = None
        self._own()
        removed = _as_ids(ids)
        if self.kind == "flat":
            self._index.remove_ids(removed)
            return
        id_map = _vector_view(self._index.id_map, int(self._index.ntotal))
        hit = np.isin(id_map, removed)
        id_map[hit] = _TOMBSTONE
        self._removed += int(hit.sum())
        if self._removed > self.params.compact_fraction * self._index.ntotal:
            self.compact()

    def compact(self) -> None:
        """Drop tombstones: the live vectors go into a fresh graph with the same quantiser."""
        if self.kind != "hnsw" or not self._removed:
            return
        self._own()
        ids, codes = self._live_codes()
        old = self._hnsw
        index: FaissIndex
        if len(ids) <= self.params.flat_max // 2:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))
        else:
            index = faiss.IndexIDMap(_hnsw_like(old, self.params))
        index.add_with_ids(_decode(old, codes), ids)
        self._set_index(index)
        self._removed = 0

    # ---- search and save -------------------------------------------------------------------

    def search(self, query: np.ndarray, k: int, *, ef: int | None = None) -> list[tuple[int, float]]:
        """The `k` nearest live vectors, best first; `ef` overrides the HNSW search breadth."""
        if self.size == 0:
            return []
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if self._hnsw is not None:
            # Set on the index, not in search parameters: IndexIDMap passes on only the selector.
            self._hnsw.hnsw.efSearch = max(ef or self.params.ef_for(self.size), k)
            if self._removed:
                params = faiss.SearchParameters()
                params.sel = _LIVE
        with _one_thread():
            scores, ids = self._index.search(query, k, params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def search_among(self, query: np.ndarray, k: int, ids: Sequence[int]) -> list[tuple[int, float]]:
        """The `k` nearest of these ids (live ones), best first, by exact inner product with their
        stored vectors (an HNSW index's 8-bit codes, as its own search scores them): for a
        filter that leaves few chunks, of which a search of the whole index would find few."""
        positions = self._positions(_as_ids(ids))
        if not len(positions):
            return []
        query = np.ascontiguousarray(np.asarray(query, dtype=np.float32).reshape(1, -1))
        # On one thread, FAISS's own brute force: numpy's threaded product of 1,800 vectors took
        # 10 ms on two busy cores, this 0.2 ms.
        with _one_thread():
            stored = self._stored(positions)
            scores, best = faiss.knn(query, stored, min(k, len(positions)), faiss.METRIC_INNER_PRODUCT)
        found = _vector_view(self._index.id_map, int(self._index.ntotal))[positions[best[0]]]
        return [(int(i), float(s)) for i, s in zip(found, scores[0], strict=True)]

    def _positions(self, ids: np.ndarray) -> np.ndarray:
        """Where these ids are in the index (those it holds alive), through a sorted copy of its
        id map made once per change (a search among a few thousand ids then costs a lookup)."""
        if self._lookup is None:
            id_map = _vector_view(self._index.id_map, int(self._index.ntotal))
            order = np.argsort(id_map, kind="stable")
            self._lookup = (order, id_map[order])
        order, sorted_ids = self._lookup
        if not len(sorted_ids) or not len(ids):
            return np.zeros(0, dtype=np.int64)
        at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
        held = (sorted_ids[at] == ids) & (ids >= 0)  # tombstones (< 0) are never asked for
        return order[at[held]]

    def _stored(self, positions: np.ndarray) -> np.ndarray:
        """The stored vectors at these positions, as float32 (decoded from an HNSW's codes: 0.3 ms
        for 1,800 on one thread, 12 ms on two busy cores)."""
        n = int(self._index.ntotal)
        if self._hnsw is None:
            flat: FaissIndex = faiss.downcast_index(self._index.index)
            stored = _vector_view(flat.codes, n * self.dimension * 4, np.uint8)
            return stored.view(np.float32).reshape(n, self.dimension)[positions]
        storage: FaissIndex = faiss.downcast_index(self._hnsw.storage)
        codes = _vector_view(storage.codes, n * storage.code_size, np.uint8).reshape(n, -1)
        return storage.sa_decode(np.ascontiguousarray(codes[positions]))

    def save(self, path: Path) -> None:
        """Written whole or not at all; a failed write raises OSError (ENOSPC on a full disk)."""
        write_atomic(Path(path), self._write)

    def _write(self, path: Path) -> None:
        try:
            faiss.write_index(self._index, str(path))
        except RuntimeError as exc:
            # faiss reports a failed fwrite as RuntimeError, with strerror at the end.
            full = "No space left on device" in str(exc)
            raise OSError(errno.ENOSPC if full else errno.EIO, f"could not write {path.name}") from exc

    # ---- internals -------------------------------------------------------------------------

    def _own(self) -> None:
        """A memory-mapped index is read-only: copy it into memory before changing it."""
        if self._mapped:
            self._set_index(faiss.deserialize_index(faiss.serialize_index(self._index)))
            self._mapped = False

    def _count_tombstones(self) -> int:
        id_map = _vector_view(self._index.id_map, int(self._index.ntotal))
        return int((id_map < 0).sum())

    def _live_codes(self) -> tuple[np.ndarray, np.ndarray]:
        n = int(self._index.ntotal)
        id_map = _vector_view(self._index.id_map, n).copy()
        storage: FaissIndex = faiss.downcast_index(self._hnsw.storage)
        codes = faiss.vector_to_array(storage.codes).reshape(n, -1)
        live = id_map >= 0
        return id_map[live], codes[live]

    def _live_contents(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float32 vectors) of the live entries of a flat index."""
        n = int(self._index.ntotal)
        ids = _vector_view(self._index.id_map, n).copy()
        flat = faiss.downcast_index(self._index.index)
        vectors = flat.reconstruct_n(0, n) if n else np.zeros((0, self.dimension), np.float32)
        return ids, vectors


def _empty_hnsw(dimension: int, params: VectorParams) -> FaissIndex:
    eight_bit: Any = faiss.ScalarQuantizer.QT_8bit
    hnsw = faiss.IndexHNSWSQ(dimension, eight_bit, params.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = params.ef_construction
    return hnsw


def _new_hnsw(dimension: int, vectors: np.ndarray, ids: np.ndarray, params: VectorParams) -> FaissIndex:
    hnsw = _empty_hnsw(dimension, params)
    # The quantiser's per-dimension ranges come from the vectors present at the switch-over;
    # later vectors outside them are clipped, which costs little on unit vectors.
    sample = vectors
    if len(vectors) > params.hnsw_train_sample:
        chosen = np.random.default_rng(0).choice(len(vectors), params.hnsw_train_sample, replace=False)
        sample = vectors[chosen]
    hnsw.train(sample)
    index = faiss.IndexIDMap(hnsw)
    index.add_with_ids(vectors, ids)
    return index


def _hnsw_like(old: FaissIndex, params: VectorParams) -> FaissIndex:
    """An empty HNSW index with `old`'s trained quantiser."""
    hnsw = _empty_hnsw(old.d, params)
    storage: FaissIndex = faiss.downcast_index(hnsw.storage)
    old_storage: FaissIndex = faiss.downcast_index(old.storage)
    faiss.copy_array_to_vector(faiss.vector_to_array(old_storage.sq.trained), storage.sq.trained)
    storage.is_trained = True
    hnsw.is_trained = True
    return hnsw


def _decode(hnsw: FaissIndex, codes: np.ndarray) -> np.ndarray:
    storage = faiss.downcast_index(hnsw.storage)
    if not len(codes):
        return np.zeros((0, hnsw.d), np.float32)
    return storage.sa_decode(np.ascontiguousarray(codes, dtype=np.uint8))
