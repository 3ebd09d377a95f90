"""How well a candidate sentence answers a question: relevance, period fit and the answer span."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..models import AnswerKind, Period, PeriodBasis, PeriodFit
from ..params import AnswerParams
from ..text.spans import Span, clock_spans, figure_spans, name_spans, time_spans
from ..text.terms import content_terms
from .question import QuestionAnalysis
from .retrieval import Candidate

Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    dense: float
    relevance: float
    score: float
    period_fit: PeriodFit
    span: Span | None


def period_fit(asked: Period | None, periods: Sequence[Period]) -> PeriodFit:
    """Does a sentence speak about the asked period? A figure for another period is no answer."""
    if asked is None or not periods:
        return PeriodFit.UNKNOWN
    stated = [p for p in periods if p.basis is not PeriodBasis.PUBLISHED]
    if any(p.within(asked) for p in stated):
        return PeriodFit.WITHIN
    if any(p.overlaps(asked) for p in stated):
        return PeriodFit.OVERLAP
    if not stated and any(p.overlaps(asked) for p in periods):
        return PeriodFit.DATED
    return PeriodFit.CONFLICT


def _nearest(spans: Sequence[Span], text: str, terms: Sequence[str]) -> Span | None:
    """The span closest to where the question's terms occur in the sentence."""
    if not spans:
        return None
    lowered = text.lower()
    anchors = [m.start() for t in terms for m in re.finditer(re.escape(t[:5]), lowered)]
    if not anchors:
        # No term to anchor on: a figure in digits says more than "one" or "half".
        return max(spans, key=lambda s: any(ch.isdigit() for ch in text[s[0] : s[1]]))
    return min(spans, key=lambda s: min(abs(s[0] - a) for a in anchors))


def answer_span(
    kind: AnswerKind,
    candidate: Candidate,
    terms: Sequence[str],
    figures: Sequence[Span] | None = None,
) -> Span | None:
    """Where in the sentence the answer is; `figures` narrows a count to the right things."""
    text = candidate.text
    if kind is AnswerKind.HOW_MANY:
        spans = figure_spans(text, candidate.periods) if figures is None else figures
        return _nearest(spans, text, terms)
    if kind is AnswerKind.WHEN:
        return _nearest(time_spans(text, candidate.periods), text, terms)
    if kind is AnswerKind.TIME:
        return _nearest(clock_spans(text), text, terms)
    if kind in (AnswerKind.WHO, AnswerKind.WHERE):
        return _nearest(name_spans(text, set(terms)), text, terms)
    return None


def lexical_overlap(terms: Sequence[str], present: frozenset[str], idf: Mapping[str, float]) -> float:
    """Share of the question's terms, weighted by rarity, among a sentence's terms (`present`)."""
    wanted = [t for t in terms if not t.isdigit()] or list(terms)
    if not wanted:
        return 0.0
    weights = [idf.get(t, 1.0) for t in wanted]
    return sum(w for t, w in zip(wanted, weights, strict=True) if t in present) / sum(weights)


def relevance(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidate: Candidate,
    params: AnswerParams,
    idf: Mapping[str, float] | None = None,
) -> tuple[float, float]:
    """(dense similarity, relevance): how well a sentence matches, before what it must contain."""
    dense = float(np.dot(question_vector, candidate.vector))
    lexical = lexical_overlap(analysis.terms, candidate.terms, idf or {})
    weighted = (
        params.dense_weight * dense
        + params.lexical_weight * lexical
        + params.chunk_weight * candidate.chunk_score
    )
    return dense, weighted


def score(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidate: Candidate,
    params: AnswerParams,
    idf: Mapping[str, float] | None = None,
    figures: Sequence[Span] | None = None,
) -> Scored:
    dense, relevance_ = relevance(analysis, question_vector, candidate, params, idf)
    span = answer_span(analysis.kind, candidate, analysis.terms, figures)
    fit = period_fit(analysis.period, candidate.periods)
    bonus = 0.0
    if analysis.kind.wants_span:
        # A "where" or "how many" sentence that names no place or figure is context at best.
        bonus += params.kind_bonus if span else -params.kind_bonus
    bonuses = params.period_bonus if analysis.kind.is_dated else params.context_period_bonus
    bonus += bonuses.get(fit, 0.0)
    return Scored(candidate, dense, relevance_, relevance_ + bonus, fit, span)


def names_the_same(analysis: QuestionAnalysis, candidate: Candidate) -> bool:
    """A figure for Chicago does not answer a question about New York City: the names the
    question gives must appear in the sentence or its article's title."""
    present = candidate.terms | set(content_terms(candidate.source.title))
    return all(set(content_terms(name)) <= present for name in analysis.names)


def _window(text: str, span: Span, words: int) -> str:
    """A figure and the words after it: "nearly 2,098 incidents of vehicular hijacking"."""
    after = text[span[1] :].split()[:words]
    return " ".join([text[span[0] : span[1]], *after])


def _shares_word(wanted: set[str], words_: Sequence[str]) -> bool:
    """'shot' is in 'gunshots', 'year' in '32-year-old': a shared stem, whole or inside a word."""
    return any(w == x or (len(w) >= 4 and w in x) for w in wanted for x in words_)


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
    Meaning takes the model, so it is asked only of candidates that `could_answer`.
    """
    allowed: dict[int, list[Span]] = {}
    pending: list[tuple[int, Span, str]] = []
    wanted = set(content_terms(analysis.counted or ""))
    for c in candidates:
        allowed[c.sentence_id] = []
        if not names_the_same(analysis, c):
            continue
        for span in figure_spans(c.text, c.periods):
            window = _window(c.text, span, params.counted_window_words)
            if encode is None or not wanted or _shares_word(wanted, content_terms(window)):
                allowed[c.sentence_id].append(span)
            elif could_answer(c):
                pending.append((c.sentence_id, span, window))
    if pending and encode is not None and analysis.counted:
        vectors = encode([analysis.counted] + [w for _, _, w in pending])
        for (sentence_id, span, _), similarity in zip(pending, vectors[1:] @ vectors[0], strict=True):
            if similarity >= params.counted_min_similarity:
                allowed[sentence_id].append(span)
    for spans in allowed.values():
        spans.sort()
    return allowed
