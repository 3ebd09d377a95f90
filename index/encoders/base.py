"""The one narrow interface to an embedding model: `encode(texts) -> (n, dim)` unit vectors."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

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


class TokenCounter:
    """Word pieces of a text, on a private copy of a fast tokenizer, one text at a time: ingest
    counts them in its layout thread while the model's own tokenizer encodes in another (a fast
    tokenizer used by two threads at once can fail with "Already borrowed")."""

    def __init__(self, tokenizer: Any):
        from tokenizers import Tokenizer

        self._copy = Tokenizer.from_str(tokenizer.backend_tokenizer.to_str())
        self._copy.no_truncation()
        self._copy.no_padding()
        self._lock = threading.Lock()

    def __call__(self, text: str) -> int:
        with self._lock:
            return len(self._copy.encode(text, add_special_tokens=False).ids)
