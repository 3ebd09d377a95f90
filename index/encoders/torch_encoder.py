"""The reference encoder: the sentence-transformers model run by torch on the CPU."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UserError
from .base import TokenCounter, normalise


def check_model_dir(model_dir: Path) -> None:
    if not any((Path(model_dir) / name).exists() for name in ("modules.json", "config.json")):
        raise UserError(f"{model_dir} is not a sentence-transformers model directory")


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
        options: dict[str, Any] = {}
        if dtype is not None:
            import torch

            options["model_kwargs"] = {"dtype": getattr(torch, dtype)}
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True, **options)
        self._count = TokenCounter(self._model.tokenizer)
        self.name = name or Path(model_dir).name
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise UserError(f"{model_dir} does not say the size of its embeddings")
        self.dimension = int(dimension)
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
        return self._count(text)

    def describe(self) -> str:
        return f"torch {str(self._model.dtype).removeprefix('torch.')}"
