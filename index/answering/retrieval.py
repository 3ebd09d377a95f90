"""Hybrid retrieval from whichever archive holds the articles (index/archive/), and the candidate
sentences of the chunks it finds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..archive.protocol import Archive
from ..models import ArticleFilter, Period, Source
from ..params import RetrievalParams
from ..text.terms import content_terms


def retrieve(
    archive: Archive,
    query_vector: np.ndarray,
    terms: Sequence[str],
    params: RetrievalParams,
    *,
    include_internal: bool,
    top: int | None = None,
    retracted: bool = False,
    filters: ArticleFilter | None = None,
) -> list[tuple[int, float]]:
    """The best chunk ids by fused rank (`params.top`, or `top`), among articles this audience
    may see (with `retracted`, among the retracted ones it may see instead) that `filters` lets
    through. `terms` are the question's content terms (index.text.terms.content_terms)."""
    return archive.hybrid(
        query_vector,
        terms,
        params,
        include_internal=include_internal,
        top=top,
        retracted=retracted,
        filters=filters if filters is not None and filters.active else None,
    )


@dataclass(frozen=True)
class Candidate:
    """A sentence from a retrieved chunk, with what scoring needs."""

    sentence_id: int
    text: str
    start: int  # offsets in the article text
    end: int
    periods: tuple[Period, ...]
    vector: np.ndarray
    chunk_score: float  # fused retrieval score of its best chunk, scaled to [0, 1]
    source: Source

    @cached_property
    def terms(self) -> frozenset[str]:
        """Its content terms, worked out once: several checks compare them."""
        return frozenset(content_terms(self.text))


def candidates(store: Archive, chunks: Sequence[tuple[int, float]]) -> list[Candidate]:
    """The sentences of the retrieved chunks, each with its chunk's fused score scaled to [0, 1]."""
    if not chunks:
        return []
    top = chunks[0][1]
    by_chunk = store.chunk_sentences([c for c, _ in chunks])
    sources = store.sources(s.article_row for ss in by_chunk.values() for s in ss)
    return [
        Candidate(
            sentence_id=s.id,
            text=s.text,
            start=s.start,
            end=s.end,
            periods=s.periods,
            vector=s.vector,
            chunk_score=fused / top,
            source=sources[s.article_row],
        )
        for chunk_id, fused in chunks
        for s in by_chunk.get(chunk_id, [])
    ]
