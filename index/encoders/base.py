"""The one narrow interface to an embedding model: `encode(texts) -> (n, dim)` unit vectors, and
`encode_spans`, which also gives a vector for each of some spans of each text."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

Span = tuple[int, int]  # character offsets into a text: start, end
SpanVectors = tuple[np.ndarray, list[np.ndarray]]  # the texts' vectors; each text's spans' vectors


class Encoder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """float32 array of shape (len(texts), dimension), each row L2-normalised."""
        ...

    def encode_spans(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> SpanVectors:
        """`encode(texts)`, and for each text a vector of each of its character spans `spans[i]`
        (rows in order; a span the model did not read, cut off by its input length, gets a zero
        row). A mean-pooling model gives each span the mean of its own tokens as read in the
        whole text (`pooled_spans`), in the same pass; others embed each span by itself."""
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


def pooled_spans(
    tokens: np.ndarray, offsets: np.ndarray, mask: np.ndarray, spans: Sequence[Span]
) -> np.ndarray:
    """Unit vectors of `spans` of one text from the model's token vectors of it (`tokens`,
    tokens x dim), each the mean of the tokens that lie inside the span, as mean pooling gives
    a whole text's vector: a sentence read in its passage, with what the passage says around it
    (late chunking). `offsets` are the tokens' character offsets (special tokens (0, 0)), `mask`
    the attention mask. A span with no token read is a zero row."""
    out = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    # Offsets rise along one text, so the tokens inside a span are a run of the real ones: those
    # starting at or after its start and ending at or before its end. Summed (a unit vector of
    # the sum is one of the mean) without a matrix product: OpenBLAS's threads would then spin
    # beside OpenVINO's for the rest of the ingest (+3 s of 20 on two cores, measured).
    real = np.flatnonzero((mask > 0) & (offsets[:, 1] > offsets[:, 0]))
    starts, ends = offsets[real, 0], offsets[real, 1]
    for row, (start, end) in enumerate(spans):
        first = int(np.searchsorted(starts, start, side="left"))
        last = int(np.searchsorted(ends, end, side="right"))
        if last > first:
            out[row] = tokens[real[first:last]].sum(axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=out, where=norms > 0)


def spans_apart(encoder: Encoder, texts: Sequence[str], spans: Sequence[Sequence[Span]]) -> SpanVectors:
    """`encode_spans` for a model that cannot pool spans: each span embedded by itself."""
    pieces = [text[s:e] for text, text_spans in zip(texts, spans, strict=True) for s, e in text_spans]
    vectors = encoder.encode(pieces)
    out, at = [], 0
    for text_spans in spans:
        out.append(vectors[at : at + len(text_spans)])
        at += len(text_spans)
    return encoder.encode(texts), out


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
