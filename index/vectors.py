"""The FAISS index of chunk vectors: ids are chunk ids, vectors are unit length (inner product = cosine)."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from .atomic import write_bytes_atomic


class VectorIndex:
    def __init__(self, index: faiss.Index, dimension: int):
        self._index = index
        self.dimension = dimension

    @classmethod
    def empty(cls, dimension: int) -> VectorIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)), dimension)

    @classmethod
    def build(cls, dimension: int, ids: np.ndarray, vectors: np.ndarray) -> VectorIndex:
        index = cls.empty(dimension)
        index.add(ids, vectors)
        return index

    @classmethod
    def load(cls, path: Path, dimension: int) -> VectorIndex:
        """Raises ValueError when the file is not a FAISS index of this dimension."""
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise ValueError(f"unreadable FAISS file {path.name}: {str(exc).splitlines()[0]}") from None
        if index.d != dimension:
            raise ValueError(f"{path.name} holds {index.d}-dimensional vectors, expected {dimension}")
        return cls(index, dimension)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            vectors = np.ascontiguousarray(vectors, dtype=np.float32)
            self._index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))

    def remove(self, ids: list[int]) -> None:
        if ids:
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.size == 0:
            return []
        scores, ids = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), k)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def save(self, path: Path) -> None:
        write_bytes_atomic(path, faiss.serialize_index(self._index).tobytes())
