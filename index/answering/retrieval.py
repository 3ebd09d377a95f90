"""Hybrid retrieval: dense FAISS hits and FTS5 exact-term hits fused by reciprocal rank, and the
candidate sentences of the chunks it finds."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..models import ArticleFilter, Period, Source
from ..params import RetrievalParams
from ..store.store import Store
from ..text.terms import content_terms


def rrf_fuse(rankings: Sequence[Sequence[int]], k: int) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of 1/(k + rank) over the rankings an id appears in, best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def rare_terms(terms: Sequence[str], chunks_with: Mapping[str, int], budget: int) -> list[str]:
    """The rarest terms, in question order, whose chunk counts together stay within `budget`
    (terms no chunk holds match nothing and are left out)."""
    chosen: set[str] = set()
    spent = 0
    for term in sorted((t for t in terms if chunks_with.get(t)), key=lambda t: chunks_with[t]):
        spent += chunks_with[term]
        if spent > budget:
            break
        chosen.add(term)
    return [t for t in terms if t in chosen]


def retrieve(
    store: Store,
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
    depth = params.depth
    filtered = filters if filters is not None and filters.active else None
    if filtered is None:
        dense_hits = store.vectors().search(query_vector, depth * params.overfetch)
        visible = store.visible_chunks([i for i, _ in dense_hits], include_internal, retracted)
        dense = [i for i, _ in dense_hits if i in visible][:depth]
        overfetch = params.lexical_overfetch
    else:
        matching, seen = store.filter_counts(filtered, include_internal, retracted)
        if not matching:
            return []  # no article it may see passes the filter
        spread = seen / matching  # how many hits to rank per hit the filter is to keep
        dense = filtered_dense(store, query_vector, params, filtered, spread, include_internal, retracted)
        # As many more as the filter is selective, up to every chunk the rare terms match.
        overfetch = min(math.ceil(params.lexical_overfetch * spread), -(-params.lexical_postings // depth))
    chunks_with = store.term_chunks(terms)
    lexical_query = rare_terms(terms, chunks_with, params.lexical_postings)
    lexical = store.lexical_chunks(
        lexical_query, depth, include_internal, overfetch=overfetch, retracted=retracted, filters=filtered
    )
    return rrf_fuse([dense, [i for i, _ in lexical]], params.rrf_k)[: top or params.top]


def filtered_dense(
    store: Store,
    query_vector: np.ndarray,
    params: RetrievalParams,
    filters: ArticleFilter,
    spread: float,
    include_internal: bool,
    retracted: bool,
) -> list[int]:
    """The `params.depth` nearest chunks among those `filters` lets through (1 in `spread` of
    the articles this audience may see): searched exactly among them when they are few
    (`params.filter_exact_max`) or when the nearest of the whole archive, over-fetched by
    `spread`, would be too many to ask FAISS for (`params.filter_fetch_max`); else those, then
    filtered, and exactly should none of them pass, so that a filter leaves no answer empty that
    its articles hold."""
    depth, vectors = params.depth, store.vectors()
    if not vectors.size:
        return []
    few = store.filtered_chunks(filters, include_internal, retracted, limit=params.filter_exact_max + 1)
    fetch = min(vectors.size, math.ceil(depth * params.overfetch * spread))
    if len(few) > params.filter_exact_max and fetch <= params.filter_fetch_max:
        hits = vectors.search(query_vector, fetch)
        kept = store.visible_chunks([i for i, _ in hits], include_internal, retracted, filters)
        dense = [i for i, _ in hits if i in kept][:depth]
        if dense:
            return dense
    among = (
        few
        if len(few) <= params.filter_exact_max
        else store.filtered_chunks(filters, include_internal, retracted)
    )
    return [i for i, _ in vectors.search_among(query_vector, depth, among)]


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


def candidates(store: Store, chunks: Sequence[tuple[int, float]]) -> list[Candidate]:
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
