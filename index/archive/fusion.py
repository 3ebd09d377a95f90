"""How the back ends rank: dense and full-text hits combined into one ranking, and the weight of
a term. The same functions for each, so that one archive held by either answers alike."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


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


def idf(chunks: int, holding: int) -> float:
    """Inverse document frequency over `chunks` of a term `holding` of them hold; one no chunk
    holds weighs the most."""
    return math.log((chunks + 1) / (holding + 0.5))


BM25_K1, BM25_B = 1.2, 0.75  # SQLite FTS5's bm25() defaults


def bm25(
    tokens: Sequence[str],
    query: Sequence[str],
    holding: Mapping[str, int],
    chunks: int,
    average_length: float,
) -> float:
    """A chunk's BM25 score as SQLite FTS5's bm25() computes it (its IDF floored at 1e-6 for a
    term over half the chunks hold), from the chunk's full-text `tokens`, the `query` terms, how
    many chunks hold each and the chunks' count and average token length: the Milvus archive
    ranks its full-text hits by it, so that both archives rank alike."""
    length = len(tokens)
    score = 0.0
    for term in query:
        frequency = tokens.count(term)
        if not frequency:
            continue
        weight = math.log((chunks - holding.get(term, 0) + 0.5) / (holding.get(term, 0) + 0.5))
        norm = 1 - BM25_B + BM25_B * length / average_length if average_length else 1.0
        score += max(weight, 1e-6) * frequency * (BM25_K1 + 1) / (frequency + BM25_K1 * norm)
    return score
