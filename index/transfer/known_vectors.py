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
        has the model read it and its spans again."""
        out = self.encode(texts)
        span_out: list[np.ndarray] = []
        unknown: list[int] = []
        for i, (text, text_spans) in enumerate(zip(texts, spans, strict=True)):
            found = [self._known.get(text_key(text[s:e])) for s, e in text_spans]
            known = [v for v in found if v is not None]
            span_out.append(np.array(known, dtype=np.float32).reshape(len(known), self.dimension))
            if len(known) < len(found):
                unknown.append(i)
        if unknown:
            _, pooled = self._model.encode_spans([texts[i] for i in unknown], [spans[i] for i in unknown])
            for i, vectors in zip(unknown, pooled, strict=True):
                span_out[i] = vectors
                self.embedded += len(vectors)
        return out, span_out

    def count_tokens(self, text: str) -> int:
        return self._model.count_tokens(text)

    def describe(self) -> str:
        return f"vectors from an export, else {self._model.describe()}"
