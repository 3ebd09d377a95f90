"""The reference encoder: the sentence-transformers model run by torch on the CPU."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import UserError
from .base import Span, SpanVectors, TokenCounter, normalise, pooled_spans, spans_apart


def check_model_dir(model_dir: Path) -> None:
    if not any((Path(model_dir) / name).exists() for name in ("modules.json", "config.json")):
        raise UserError(f"{model_dir} is not a sentence-transformers model directory")


def mean_pooled(model: Any) -> bool:
    """Whether a SentenceTransformer's vector is the mean of its token vectors, normalised or not
    (a transformer, mean pooling, maybe normalising, nothing else): then a span's vector is the
    mean of its own tokens (`pooled_spans`). Read by the modules' class names and the pooling's
    mode, which sentence-transformers 5 and 6 keep under different module paths and attributes."""
    kinds = [type(module).__name__ for module in model]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        return False
    pooling = model[1]
    mode = getattr(pooling, "pooling_mode", None)
    if mode is None and hasattr(pooling, "get_pooling_mode_str"):
        mode = pooling.get_pooling_mode_str()
    return mode == "mean"


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
        self._mean_pooled = mean_pooled(self._model)

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

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> SpanVectors:
        if not self._mean_pooled:
            return spans_apart(self, texts, spans)
        import torch

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        span_out = [np.zeros((len(s), self.dimension), dtype=np.float32) for s in spans]
        for start in range(0, len(texts), self.batch_size):
            rows = range(start, min(start + self.batch_size, len(texts)))
            batch = self._model.tokenizer(
                [texts[i] for i in rows],
                padding=True,
                truncation=True,
                max_length=self._model.max_seq_length,
                return_tensors="pt",
                return_offsets_mapping=True,
            )
            offsets = batch.pop("offset_mapping").numpy()
            with torch.inference_mode():
                features = self._model.forward(dict(batch))
            pooled = features["sentence_embedding"].float().numpy()
            tokens = features["token_embeddings"].float().numpy()
            mask = batch["attention_mask"].numpy()
            for k, i in enumerate(rows):
                out[i] = pooled[k]
                span_out[i] = pooled_spans(tokens[k], offsets[k], mask[k], spans[i])
        return normalise(out), span_out

    def count_tokens(self, text: str) -> int:
        return self._count(text)

    def describe(self) -> str:
        return f"torch {str(self._model.dtype).removeprefix('torch.')}"
