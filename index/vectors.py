"""The FAISS index of chunk vectors: ids are chunk ids, vectors are unit length (inner product = cosine).

The kind of index follows the archive's size (measured by `newsbot bench`, see docs/bench.md):

- up to `FLAT_MAX` vectors, exact search (`IndexIDMap2` over `IndexFlatIP`): at that size a
  query costs a few milliseconds and every answer is the true nearest neighbour;
- past it, HNSW over 8-bit scalar-quantised vectors (`IndexIDMap` over `IndexHNSWSQ`, M=32):
  about 0.7 KB per chunk instead of 1.5 KB, well under a millisecond per query, recall@10 >= 0.95
  against exact search with `ef_search` growing with the archive.

Adding vectors never rebuilds an index, except once, when an exact index grows past `FLAT_MAX`
and is converted. HNSW cannot delete, so a removed vector's id is overwritten with a negative
tombstone inside the index itself (it is saved with it) and searches skip tombstones; when they
make up more than `COMPACT_FRACTION` of the index, the live vectors are re-inserted into a fresh
graph with the same quantiser, so nothing is lost to re-quantisation.

Large index files are memory-mapped on load (no copy, fast start); the first write to such an
index copies it into memory first.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import faiss
import numpy as np

# Exact search up to here. At 20k chunks a flat query costs ~3 ms on one core (0.15 us per
# vector) and the index 30 MB; HNSW is ~0.2 ms and half the memory, but approximate.
FLAT_MAX = 20_000
HNSW_M = 32
# Build breadth. 80 rather than faiss's 40 makes a better graph for about twice the add time
# (1M vectors: 108 s -> ~200 s on 2 cores, ~0.2 ms a chunk against ~20 ms to encode it):
# recall@10 at 1M went from 0.937 to 0.970 at efSearch 1024 (real-derived vectors, SQuAD
# questions).
EF_CONSTRUCTION = 80
# Tombstones beyond this fraction of an HNSW index trigger a compaction on the next write.
COMPACT_FRACTION = 0.2
# Files at least this large are memory-mapped when loaded.
MMAP_MIN_BYTES = 64 << 20
_TOMBSTONE = -1
_LIVE = faiss.IDSelectorRange(0, 2**62)  # live ids are chunk ids (>= 0); tombstones are < 0


def ef_search(size: int) -> int:
    """HNSW search breadth for an index of `size` vectors, from `newsbot bench` sweeps (docs/bench.md):
    with EF_CONSTRUCTION 80, recall@10 against exact search was 0.971 at 100k with 128 and 0.986
    with 256, 0.964 at 1M with 512 and 0.970 with 1024 (real-derived vectors). Retrieval asks for
    80 neighbours, so never less than 80."""
    if size <= 50_000:
        return 128
    if size <= 200_000:
        return 256
    if size <= 500_000:
        return 512
    return 1024


def _as_vectors(vectors: np.ndarray, dimension: int) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dimension))


def _as_ids(ids) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64).reshape(-1))


def _vector_view(vector, n: int, dtype=np.int64) -> np.ndarray:
    """A writable numpy view of a FAISS std::vector (no copy)."""
    if n == 0:
        return np.zeros(0, dtype=dtype)
    return faiss.rev_swig_ptr(vector.data(), n)


class VectorIndex:
    def __init__(self, index: faiss.Index, dimension: int, *, mapped: bool = False):
        self.dimension = dimension
        self._mapped = mapped  # memory-mapped from a file: read-only until `_own`
        self._set_index(index)
        self._removed = self._count_tombstones() if self._hnsw is not None else 0

    def _set_index(self, index: faiss.Index) -> None:
        self._index = index
        inner = faiss.downcast_index(index.index)
        self._hnsw = inner if isinstance(inner, faiss.IndexHNSW) else None
        if self._hnsw is not None:
            # An index saved by an older newsbot links the vectors it gains as this one would.
            self._hnsw.hnsw.efConstruction = EF_CONSTRUCTION

    # ---- construction ----------------------------------------------------------------------

    @classmethod
    def empty(cls, dimension: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)), dimension)

    @classmethod
    def build(cls, dimension: int, ids: np.ndarray, vectors: np.ndarray, *, flat_max: int | None = None) -> VectorIndex:
        """An index of these vectors, of the kind their number calls for."""
        ids, vectors = _as_ids(ids), _as_vectors(vectors, dimension)
        limit = FLAT_MAX if flat_max is None else flat_max
        if len(ids) <= limit:
            index = cls.empty(dimension)
            if len(ids):
                index._index.add_with_ids(vectors, ids)
            return index
        return cls(_new_hnsw(dimension, vectors, ids), dimension)

    @classmethod
    def load(cls, path: Path, dimension: int) -> VectorIndex:
        """Raises ValueError when the file is not a FAISS index of this dimension."""
        path = Path(path)
        try:
            mapped = path.stat().st_size >= MMAP_MIN_BYTES
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC if mapped else 0)
        except (RuntimeError, OSError) as exc:
            raise ValueError(f"unreadable FAISS file {path.name}: {str(exc).splitlines()[0]}") from None
        if index.d != dimension:
            raise ValueError(f"{path.name} holds {index.d}-dimensional vectors, expected {dimension}")
        if not isinstance(index, (faiss.IndexIDMap, faiss.IndexIDMap2)):
            raise ValueError(f"{path.name} is a FAISS index without chunk ids")
        return cls(index, dimension, mapped=mapped)

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
        vectors = _as_vectors(vectors, self.dimension)
        self._own()
        if self.kind == "flat":
            if self.size + len(ids) > FLAT_MAX:
                # Converted once: the exact index grew past its size.
                old_ids, old_vectors = self._live_contents()
                self._set_index(_new_hnsw(
                    self.dimension, np.concatenate([old_vectors, vectors]), np.concatenate([old_ids, ids])
                ))
                self._removed = 0
                return
            self._index.add_with_ids(vectors, ids)
            return
        self._index.add_with_ids(vectors, ids)

    def remove(self, ids: list[int]) -> None:
        if not len(ids):
            return
        self._own()
        ids = _as_ids(ids)
        if self.kind == "flat":
            self._index.remove_ids(ids)
            return
        id_map = _vector_view(self._index.id_map, int(self._index.ntotal))
        hit = np.isin(id_map, ids)
        id_map[hit] = _TOMBSTONE
        self._removed += int(hit.sum())
        if self._removed > COMPACT_FRACTION * self._index.ntotal:
            self.compact()

    def compact(self) -> None:
        """Drop tombstones: the live vectors go into a fresh graph with the same quantiser."""
        if self.kind != "hnsw" or not self._removed:
            return
        self._own()
        ids, codes = self._live_codes()
        old = self._hnsw
        if len(ids) <= FLAT_MAX // 2:
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))
        else:
            index = faiss.IndexIDMap(_hnsw_like(old))
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
            self._hnsw.hnsw.efSearch = max(ef or ef_search(self.size), k)
            if self._removed:
                params = faiss.SearchParameters(sel=_LIVE)
        # One query is faster on one thread than on several (no fork-join, no contention).
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self._index.search(query, k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def save(self, path: Path) -> None:
        """Written whole or not at all (a temporary file renamed over `path`)."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        try:
            faiss.write_index(self._index, tmp)
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

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
        storage = faiss.downcast_index(self._hnsw.storage)
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


def _empty_hnsw(dimension: int) -> faiss.IndexHNSW:
    hnsw = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_8bit, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = EF_CONSTRUCTION
    return hnsw


def _new_hnsw(dimension: int, vectors: np.ndarray, ids: np.ndarray) -> faiss.Index:
    hnsw = _empty_hnsw(dimension)
    # The quantiser's per-dimension ranges come from the vectors present at the switch-over;
    # later vectors outside them are clipped, which costs little on unit vectors.
    sample = vectors
    if len(vectors) > 100_000:
        sample = vectors[np.random.default_rng(0).choice(len(vectors), 100_000, replace=False)]
    hnsw.train(sample)
    index = faiss.IndexIDMap(hnsw)
    index.add_with_ids(vectors, ids)
    return index


def _hnsw_like(old: faiss.IndexHNSW) -> faiss.IndexHNSW:
    """An empty HNSW index with `old`'s parameters and trained quantiser."""
    hnsw = _empty_hnsw(old.d)
    storage = faiss.downcast_index(hnsw.storage)
    old_storage = faiss.downcast_index(old.storage)
    faiss.copy_array_to_vector(faiss.vector_to_array(old_storage.sq.trained), storage.sq.trained)
    storage.is_trained = True
    hnsw.is_trained = True
    return hnsw


def _decode(hnsw: faiss.IndexHNSW, codes: np.ndarray) -> np.ndarray:
    storage = faiss.downcast_index(hnsw.storage)
    if not len(codes):
        return np.zeros((0, hnsw.d), np.float32)
    return storage.sa_decode(np.ascontiguousarray(codes, dtype=np.uint8))
