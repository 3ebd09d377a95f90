"""Hybrid retrieval: dense FAISS hits and FTS5 exact-term hits, fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .store import Store
from .text import STOPWORDS, words

RRF_K = 60


def rrf_fuse(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of 1/(k + rank) over the rankings an id appears in, best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def keywords(text: str) -> list[str]:
    """Exact terms for FTS5: words, numbers and years of the question, minus stop words."""
    seen: dict[str, None] = {}
    for word in words(text):
        # "2,098" stays whole: FTS5 matches it as the phrase "2 098", as it was indexed.
        lowered = word.lower()
        if lowered not in STOPWORDS and len(lowered) > 1:
            seen.setdefault(lowered, None)
    return list(seen)


def retrieve(
    store: Store,
    query_vector: np.ndarray,
    terms: Sequence[str],
    *,
    include_internal: bool,
    depth: int = 40,
    top: int = 8,
) -> list[tuple[int, float]]:
    """The `top` chunk ids by fused rank, among articles this audience may see."""
    vectors = store.vectors()
    # Over-fetch: some dense hits may belong to retracted or hidden articles.
    dense_hits = vectors.search(query_vector, depth * 2)
    visible = store.visible_chunks([i for i, _ in dense_hits], include_internal)
    dense = [i for i, _ in dense_hits if i in visible][:depth]
    lexical = [i for i, _ in store.lexical_chunks(terms, depth, include_internal)]
    return rrf_fuse([dense, lexical])[:top]
