"""The dense-only baseline: plain semantic search over the same archive, in the same run."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from index import Answer, AnswerLine, Citation, Engine


def dense_best_sentence(engine: Engine, vector: np.ndarray) -> Citation | None:
    """The nearest chunk by vector alone, then its most similar sentence (scored by it)."""
    with engine.snapshot() as store:
        hits = store.vectors().search(vector, 1)
        if not hits:
            return None
        sentences = store.chunk_sentences([hits[0][0]]).get(hits[0][0], [])
        if not sentences:
            return None
        score, best = max(((float(s.vector @ vector), s) for s in sentences), key=lambda p: p[0])
        source = store.sources([best.article_row])[best.article_row]
    return Citation(n=1, source=source, sentence=best.text, start=best.start, end=best.end, score=score)


def dense_baseline_answer(question: str, pick: Citation | None, threshold: float) -> Answer:
    """The baseline's answer: its pick, abstaining below `threshold`."""
    if pick is None or pick.score < threshold:
        return Answer(question=question, abstained=True)
    return Answer(
        question=question,
        abstained=False,
        lines=[AnswerLine(citation=1)],
        citations=[pick],
        confidence=pick.score,
    )


def best_threshold(scores: Iterable[tuple[float, bool]]) -> float:
    """The abstention threshold that classifies answerable/unanswerable best on these scores."""
    pairs = sorted(scores)
    best, best_right = 0.0, -1
    for candidate in [0.0] + [s for s, _ in pairs]:
        right = sum((s >= candidate) == answerable for s, answerable in pairs)
        if right > best_right:
            best, best_right = candidate, right
    return best
