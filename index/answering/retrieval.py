"""Hybrid retrieval from whichever archive holds the articles (index/archive/), and the candidate
sentences of the chunks it finds."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..archive.protocol import Archive
from ..models import ArticleFilter, Period, Source
from ..params import AnswerParams, RetrievalParams
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
    news_of: dt.date | None = None,
    half_life_days: float = AnswerParams().recency_half_life_days,
) -> list[tuple[int, float]]:
    """The best chunk ids with their fused scores (`params.top` of them, or `top`), among
    articles this audience may see (with `retracted`, among the retracted ones it may see
    instead) that `filters` lets through. `terms` are the question's content terms
    (index.text.terms.content_terms). For a question about the news of the day `news_of`, the
    best `params.news_depth` by fused rank are ordered by fused score plus their article's
    `recency` on that day (`params.news_recency_weight`): the day's story outranks an older one
    on the same topic. The scores returned stay the fused ones."""
    keep = top or params.top
    deeper = news_of is not None and params.news_recency_weight > 0 and params.news_depth > keep
    fused = archive.hybrid(
        query_vector,
        terms,
        params,
        include_internal=include_internal,
        top=params.news_depth if deeper else keep,
        retracted=retracted,
        filters=filters if filters is not None and filters.active else None,
    )
    if not deeper or not fused:
        return fused
    rows = archive.chunk_article_rows([c for c, _ in fused])
    published = {row: s.published for row, s in archive.sources(set(rows.values())).items()}
    best = max(score for _, score in fused)

    def weighed(hit: tuple[int, float]) -> float:
        recent = recency(news_of, published.get(rows.get(hit[0], -1)), half_life_days)
        return hit[1] / best + params.news_recency_weight * recent

    return sorted(fused, key=weighed, reverse=True)[:keep]


def recency(news_of: dt.date | None, published: dt.date | None, half_life_days: float) -> float:
    """How recent an article was on the day whose news a question asks about: 1 on that day,
    halving every `half_life_days` before it; 0 after it, undated, or when no day is asked about."""
    if news_of is None or published is None or published > news_of:
        return 0.0
    return math.pow(0.5, (news_of - published).days / half_life_days)


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
    top = max(score for _, score in chunks)
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
