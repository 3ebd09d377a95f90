"""Hybrid retrieval: dense FAISS hits and FTS5 exact-term hits, fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .store import Store

RRF_K = 60
# FTS5 scores every chunk that holds any term of its query before it ranks them (2-4 µs a
# chunk measured at 100k chunks), so its query is limited to the rarest terms whose chunks add up
# to this many. A term held by more chunks than that tells few of them apart: the dense side finds
# those passages by meaning.
LEXICAL_POSTINGS = 1000


def rrf_fuse(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: sum of 1/(k + rank) over the rankings an id appears in, best first."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def rare_terms(terms: Sequence[str], chunks_with: Mapping[str, int], budget: int = LEXICAL_POSTINGS) -> list[str]:
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
    *,
    include_internal: bool,
    depth: int = 40,
    top: int = 8,
) -> list[tuple[int, float]]:
    """The `top` chunk ids by fused rank, among articles this audience may see.

    `terms` are the question's content terms (index.text.content_terms).
    """
    vectors = store.vectors()
    # Over-fetch: some dense hits may belong to retracted or hidden articles.
    dense_hits = vectors.search(query_vector, depth * 2)
    visible = store.visible_chunks([i for i, _ in dense_hits], include_internal)
    dense = [i for i, _ in dense_hits if i in visible][:depth]
    chunks_with = store.term_chunks(terms)
    lexical = [i for i, _ in store.lexical_chunks(rare_terms(terms, chunks_with), depth, include_internal)]
    return rrf_fuse([dense, lexical])[:top]
