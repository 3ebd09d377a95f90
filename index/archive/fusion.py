"""How the back ends combine dense and full-text hits into one ranking: the same functions for
each, so that one archive held by either answers alike."""

from __future__ import annotations

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
