"""The embedded archive's hybrid retrieval: FAISS dense hits and FTS5 exact-term hits, both
among the articles the audience may see and the filter lets through, fused by reciprocal rank."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np

from ..archive.fusion import rare_terms, rrf_fuse
from ..models import ArticleFilter
from ..params import RetrievalParams
from .vectors import VectorIndex


class Searched(Protocol):
    """What the hybrid retrieval reads of the store (index.store.store.Store, which calls it
    with itself)."""

    def vectors(self) -> VectorIndex: ...

    def visible_chunks(
        self,
        chunk_ids: Sequence[int],
        include_internal: bool,
        retracted: bool = False,
        filters: ArticleFilter | None = None,
    ) -> set[int]: ...

    def filter_counts(
        self, filters: ArticleFilter, include_internal: bool, retracted: bool
    ) -> tuple[int, int]: ...

    def filtered_chunks(
        self, filters: ArticleFilter, include_internal: bool, retracted: bool, limit: int = -1
    ) -> list[int]: ...

    def term_chunks(self, terms: Iterable[str]) -> dict[str, int]: ...

    def lexical_chunks(
        self,
        terms: Sequence[str],
        limit: int,
        include_internal: bool,
        *,
        overfetch: int = 4,
        retracted: bool = False,
        filters: ArticleFilter | None = None,
    ) -> list[tuple[int, float]]: ...


def hybrid(
    store: Searched,
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
    store: Searched,
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
