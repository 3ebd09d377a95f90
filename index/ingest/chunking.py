"""Sentence-aligned chunks sized for the embedding model's input window."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..encoders.base import Span


class ChunkSpan(NamedTuple):
    first: int  # index into the sentence list
    last: int  # inclusive


def chunk_sentences(lengths: Sequence[int], budget: int, overlap: int) -> list[ChunkSpan]:
    """Group consecutive sentences (given their token lengths) into chunks within `budget`.

    Consecutive chunks share `overlap` sentences so that a fact split across a chunk edge is
    still whole in one of them. A sentence longer than the budget is a chunk by itself.
    """
    chunks: list[ChunkSpan] = []
    first = 0
    n = len(lengths)
    while first < n:
        last, used = first, lengths[first]
        while last + 1 < n and used + lengths[last + 1] <= budget:
            last += 1
            used += lengths[last]
        chunks.append(ChunkSpan(first, last))
        if last + 1 >= n:
            break
        first = max(last + 1 - overlap, first + 1)
    return chunks


class Passage(NamedTuple):
    text: str  # what gets embedded
    spans: list[Span]  # where each of its sentences lies in `text`


def chunk_passage(title: str, sentences: Sequence[str]) -> Passage:
    """What gets embedded, the title first: it gives each passage its article's context, and
    each sentence pooled in the passage (`Encoder.encode_spans`) reads it too."""
    at = len(title) + 1 if title else 0
    spans = []
    for sentence in sentences:
        spans.append((at, at + len(sentence)))
        at += len(sentence) + 1
    body = " ".join(sentences)
    return Passage(f"{title}\n{body}" if title else body, spans)
