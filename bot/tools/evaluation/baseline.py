"""The baseline every evaluation reports beside the engine, in the same run: the pipeline a
tutorial builds. Articles cut every 1,000 characters, each piece embedded with the same model,
exact FAISS search, and the top piece's sentence most similar to the question as the answer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from index import Answer, AnswerLine, Citation, Encoder, Source
from index.models import Article, Status, Visibility
from index.text.sentences import split_sentences

CHUNK_CHARS = 1000


@dataclass(frozen=True)
class _Piece:
    article: Article
    start: int
    end: int


def fixed_pieces(article: Article, size: int = CHUNK_CHARS) -> list[_Piece]:
    """Every `size` characters, no overlap, with no regard for sentences (as tutorials cut)."""
    text = article.text
    return [
        _Piece(article, i, min(i + size, len(text)))
        for i in range(0, len(text), size)
        if text[i : i + size].strip()
    ]


def _source(article: Article) -> Source:
    return Source(
        article_id=article.article_id,
        title=article.title,
        url=article.url,
        outlet=article.outlet,
        published=article.published,
    )


class NaiveBaseline:
    """Plain semantic search over the public, published articles of an archive."""

    def __init__(self, encoder: Encoder, articles: Iterable[Article]):
        self._encoder = encoder
        visible = [a for a in articles if a.status is Status.PUBLISHED and a.visibility is Visibility.PUBLIC]
        self._pieces = [piece for a in visible for piece in fixed_pieces(a)]
        vectors = encoder.encode([p.article.text[p.start : p.end] for p in self._pieces])
        self._index = faiss.IndexFlatIP(encoder.dimension)
        if len(self._pieces):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def pick(self, vector: np.ndarray) -> Citation | None:
        """The top piece's sentence most similar to the question, scored by that similarity."""
        if not self._pieces:
            return None
        _, ids = self._index.search(np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32), 1)
        piece = self._pieces[int(ids[0][0])]
        text = piece.article.text[piece.start : piece.end]
        spans = [(s.start, s.end) for s in split_sentences(text)] or [(0, len(text))]
        sentences = [text[a:b] for a, b in spans]
        scores = self._encoder.encode(sentences) @ vector
        best = int(np.argmax(scores))
        a, b = spans[best]
        return Citation(
            n=1,
            source=_source(piece.article),
            sentence=sentences[best],
            start=piece.start + a,
            end=piece.start + b,
            score=float(scores[best]),
        )


def baseline_answer(question: str, pick: Citation | None, threshold: float) -> Answer:
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


def best_threshold(scores: Sequence[tuple[float, bool]]) -> float:
    """The abstention threshold that classifies answerable/unanswerable best on these scores:
    the baseline's best case, tuned on the very questions it is graded on."""
    pairs = sorted(scores)
    best, best_right = 0.0, -1
    for candidate in [0.0] + [s for s, _ in pairs]:
        right = sum((s >= candidate) == answerable for s, answerable in pairs)
        if right > best_right:
            best, best_right = candidate, right
    return best
