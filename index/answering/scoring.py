"""What a candidate sentence offers a question: first-stage relevance, period fit, the answer span,
whether it names the question's names and counts its thing."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..models import AnswerKind, Period, PeriodBasis, PeriodFit
from ..params import AnswerParams
from ..text.counting import shares_word, window
from ..text.figures import parse_value
from ..text.names import name_in
from ..text.spans import Span, clock_spans, figure_spans, name_spans, period_spans, time_spans
from ..text.terms import content_terms
from .question import QuestionAnalysis, asks_for_money
from .retrieval import Candidate, recency

Encode = Callable[[list[str]], np.ndarray]


def period_fit(asked: Period | None, periods: Sequence[Period]) -> PeriodFit:
    """Does a sentence speak about the asked period? Only a period the sentence states can rule it
    out; one that states none is weighed by its article's date (DATED or OUTSIDE)."""
    if asked is None or not periods:
        return PeriodFit.UNKNOWN
    stated = [p for p in periods if p.basis is not PeriodBasis.PUBLISHED]
    if any(p.within(asked) for p in stated):
        return PeriodFit.WITHIN
    if any(p.overlaps(asked) for p in stated):
        return PeriodFit.OVERLAP
    if stated:
        return PeriodFit.CONFLICT
    return PeriodFit.DATED if any(p.overlaps(asked) for p in periods) else PeriodFit.OUTSIDE


def _anchors(text: str, terms: Sequence[str]) -> list[int]:
    lowered = text.lower()
    return [m.start() for t in terms for m in re.finditer(re.escape(t[:5]), lowered)]


def _nearest(spans: Sequence[Span], text: str, anchors: Sequence[int]) -> Span | None:
    """The span closest to the anchors (where the question's terms or period occur)."""
    if not spans:
        return None
    if not anchors:
        # No term to anchor on: a figure in digits says more than "one" or "half".
        return max(spans, key=lambda s: any(ch.isdigit() for ch in text[s[0] : s[1]]))
    return min(spans, key=lambda s: min(abs(s[0] - a) for a in anchors))


def _asked_period_anchors(candidate: Candidate, asked: Period | None) -> list[int]:
    """Where the sentence states the asked period: "rose from 1,200 in 2003 to 1,500 in 2004"
    answers a 2003 question with the figure next to "2003", not with the one nearest the terms."""
    if asked is None:
        return []
    spans = period_spans(candidate.text, [p for p in candidate.periods if p.within(asked)])
    others = period_spans(candidate.text, [p for p in candidate.periods if not p.overlaps(asked)])
    return [a for a, _ in spans] if spans and others else []


def answer_span(
    kind: AnswerKind,
    candidate: Candidate,
    terms: Sequence[str],
    figures: Sequence[Span] | None = None,
    asked: Period | None = None,
) -> Span | None:
    """Where in the sentence the answer is; `figures` narrows a count to the right things."""
    text = candidate.text
    anchors = _anchors(text, terms)
    if kind is AnswerKind.HOW_MANY:
        spans = figure_spans(text, candidate.periods) if figures is None else figures
        return _nearest(spans, text, _asked_period_anchors(candidate, asked) or anchors)
    if kind is AnswerKind.WHEN:
        return _nearest(time_spans(text, candidate.periods), text, anchors)
    if kind is AnswerKind.TIME:
        return _nearest(clock_spans(text), text, anchors)
    if kind in (AnswerKind.WHO, AnswerKind.WHERE):
        return _nearest(name_spans(text, set(terms)), text, anchors)
    return None


def lexical_overlap(terms: Sequence[str], present: frozenset[str], idf: Mapping[str, float]) -> float:
    """Share of the question's terms, weighted by rarity, among a sentence's terms (`present`)."""
    wanted = [t for t in terms if not t.isdigit()] or list(terms)
    if not wanted:
        return 0.0
    weights = [idf.get(t, 1.0) for t in wanted]
    return sum(w for t, w in zip(wanted, weights, strict=True) if t in present) / sum(weights)


@dataclass(frozen=True)
class FirstStage:
    """How well a sentence matches before the cross-encoder reads it."""

    dense: float  # similarity of the question's and the sentence's vectors
    lexical: float  # IDF-weighted share of the question's terms in the sentence
    relevance: float  # the two, the chunk's retrieval score and the article's recency, weighted
    recent: float  # how recent its article was on the day whose news is asked about (`recency`)


def first_stage(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidate: Candidate,
    params: AnswerParams,
    idf: Mapping[str, float] | None = None,
) -> FirstStage:
    dense = float(np.dot(question_vector, candidate.vector))
    lexical = lexical_overlap(analysis.terms, candidate.terms, idf or {})
    recent = recency(analysis.news_of, candidate.source.published, params.recency_half_life_days)
    weighted = (
        params.dense_weight * dense
        + params.lexical_weight * lexical
        + params.chunk_weight * candidate.chunk_score
        + params.recency_weight * recent
    )
    return FirstStage(dense, lexical, weighted, recent)


def names_the_same(analysis: QuestionAnalysis, candidate: Candidate) -> bool:
    """A figure for Chicago does not answer a question about New York City: each name the
    question gives must be in the sentence or its article's title, as written or as a part or
    an acronym of it ("Stuart" for "Graham Stuart", "US" for "United States")."""
    text = f"{candidate.source.title}\n{candidate.text}"
    return all(name_in(name, text) for name in analysis.names)


_MONEY_WORDS = re.compile(r"^\W*(?:dollars|pounds|euros|yen|yuan|rupees|francs)\b", re.IGNORECASE)


def _is_money(figure: str, after: str) -> bool:
    """ "$16 million", "£124bn", "30p", "45 million dollars"."""
    value = parse_value(figure)
    return value is not None and (value.currency is not None or bool(_MONEY_WORDS.match(after)))


def counted_figures(
    analysis: QuestionAnalysis,
    candidates: Sequence[Candidate],
    encode: Encode | None,
    params: AnswerParams,
    could_answer: Callable[[Candidate], bool] = lambda c: True,
) -> dict[int, list[Span]]:
    """The figures of each candidate that count what the question counts.

    A figure counts the question's thing when the words after it share a word with it, or
    mean nearly the same ("942 vehicular hijackings" for "carjackings"; not for "homicides").
    Meaning takes the model, so it is asked only of candidates that `could_answer`. A question
    about money ("how much did it cost?") is answered by any sum of money.
    """
    allowed: dict[int, list[Span]] = {}
    pending: list[tuple[int, Span, str]] = []
    wanted = set(content_terms(analysis.counted or ""))
    money = asks_for_money(analysis.question)
    for c in candidates:
        allowed[c.sentence_id] = []
        for span in figure_spans(c.text, c.periods):
            if money:
                if _is_money(c.text[span[0] : span[1]], c.text[span[1] :]):
                    allowed[c.sentence_id].append(span)
                continue
            words_after = window(c.text, span, params.counted_window_words)
            if encode is None or not wanted or shares_word(wanted, content_terms(words_after)):
                allowed[c.sentence_id].append(span)
            elif could_answer(c):
                pending.append((c.sentence_id, span, words_after))
    if pending and encode is not None and analysis.counted:
        vectors = encode([analysis.counted] + [w for _, _, w in pending])
        for (sentence_id, span, _), similarity in zip(pending, vectors[1:] @ vectors[0], strict=True):
            if similarity >= params.counted_min_similarity:
                allowed[sentence_id].append(span)
    for spans in allowed.values():
        spans.sort()
    return allowed
