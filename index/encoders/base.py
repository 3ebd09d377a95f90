"""The one narrow interface to an embedding model: `encode(texts) -> (n, dim)` unit vectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Encoder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dimension), each row L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int:
        """Word pieces the model would see for `text` (for sizing chunks)."""
        ...

    def describe(self) -> str:
        """How it runs, for reports: "OpenVINO bf16", "torch float32"."""
        ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)
