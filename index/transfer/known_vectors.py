"""An encoder that hands back the vectors an export carries for texts it has seen, and asks the
model only for the others (none, when both archives lay articles out alike)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..encoders.base import Encoder, Span, SpanVectors
from .lines import text_key


class KnownVectors:
    def __init__(self, model: Encoder, known: Mapping[str, np.ndarray]):
        self.name = model.name
        self.dimension = model.dimension
        self._model = model
        self._known = known
        self.embedded = 0  # texts the model had to embed: laid out otherwise than in the export

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing: list[int] = []
        for i, text in enumerate(texts):
            vector = self._known.get(text_key(text))
            if vector is None:
                missing.append(i)
            else:
                out[i] = vector
        if missing:
            out[missing] = self._model.encode([texts[i] for i in missing])
            self.embedded += len(missing)
        return out

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> SpanVectors:
        """The known vectors of the texts and of their spans' texts; a text with a span unknown
        is read by the model with its spans, in one pass."""
        found = [
            [self._known.get(text_key(text[s:e])) for s, e in ss]
            for text, ss in zip(texts, spans, strict=True)
        ]
        unknown = [i for i, vectors in enumerate(found) if any(v is None for v in vectors)]
        whole = [i for i, vectors in enumerate(found) if all(v is not None for v in vectors)]
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        span_out = [np.zeros((0, self.dimension), dtype=np.float32)] * len(texts)
        if whole:
            out[whole] = self.encode([texts[i] for i in whole])
            for i in whole:
                span_out[i] = np.array(found[i], dtype=np.float32).reshape(len(found[i]), self.dimension)
        if unknown:
            vectors, pooled = self._model.encode_spans(
                [texts[i] for i in unknown], [spans[i] for i in unknown]
            )
            out[unknown] = vectors
            for i, span_vectors in zip(unknown, pooled, strict=True):
                span_out[i] = span_vectors
                self.embedded += 1 + len(span_vectors)
        return out, span_out

    def count_tokens(self, text: str) -> int:
        return self._model.count_tokens(text)

    def describe(self) -> str:
        return f"vectors from an export, else {self._model.describe()}"
