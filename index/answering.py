"""Pick the sentences that answer a question and compose a cited answer from them, verbatim."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .models import Answer, Citation, Period, Related
from .periods import label, most_specific
from .question import QuestionAnalysis
from .text import content_terms


@dataclass(frozen=True)
class Source:
    article_id: str
    title: str
    url: str | None
    outlet: str | None
    published: dt.date | None


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


@dataclass(frozen=True)
class AnswerParams:
    # Calibrated on the gold set and SQuAD 2.0 (see README): below it the bot abstains.
    threshold: float = 0.48
    # Further figures are listed when they are nearly as relevant as the best one (within
    # `margin`) and as close in meaning (dense similarity within `dense_margin`).
    margin: float = 0.15
    dense_margin: float = 0.08
    max_answers: int = 4
    max_citations: int = 8
    related: int = 3


KIND_BONUS = 0.08


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    dense: float
    relevance: float
    score: float
    period_fit: str  # match | unknown | conflict
    span: tuple[int, int] | None


_QUALIFIER = (
    r"(?:(?:nearly|almost|about|around|approximately|roughly|more than|less than|fewer than|over|"
    r"under|at least|at most|some|just|only|up to|close to|an estimated|a total of)\s+)?"
)
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"(?:a |one )?(?:dozen|hundred|thousand|million|billion)s?)"
)
_FIGURE = re.compile(
    rf"\b{_QUALIFIER}(?:\$\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?|{_NUMBER_WORDS}\b)"
    r"(?:\s?(?:%|percent|million|billion|thousand))?(?:-year-old)?",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"\b\d{1,2}(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)", re.IGNORECASE)
_PHONE = re.compile(r"\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}")
_CALENDAR_WORDS = re.compile(
    r"^(?:On |Last |This |Earlier |Late )?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December)$"
)
_NAME = re.compile(r"(?:[A-Z][\w'’.-]*\s)*[A-Z][\w'’.-]*(?:\s(?:of|the|de|for)\s(?:[A-Z][\w'’-]*\s?)+)?")


def _overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in others)


def _period_spans(text: str, periods: Sequence[Period]) -> list[tuple[int, int]]:
    spans = []
    for p in periods:
        if p.text and p.basis in ("stated", "relative"):
            at = text.find(p.text)
            if at >= 0:
                spans.append((at, at + len(p.text)))
    return spans


_NAMED_NUMBER = re.compile(r"\b[A-Z][A-Za-z]*[ -](\d+)\b")  # "NBC 5", "Route 66", "COVID-19"


def figure_spans(text: str, periods: Sequence[Period]) -> list[tuple[int, int]]:
    """Counts and amounts in a sentence: not its dates, clock times, phone numbers or names."""
    excluded = _period_spans(text, periods)
    excluded += [m.span() for m in _CLOCK.finditer(text)] + [m.span() for m in _PHONE.finditer(text)]
    excluded += [m.span(1) for m in _NAMED_NUMBER.finditer(text)]
    return [m.span() for m in _FIGURE.finditer(text) if not _overlaps(m.span(), excluded)]


def time_spans(text: str, periods: Sequence[Period]) -> list[tuple[int, int]]:
    return _period_spans(text, periods) + [m.span() for m in _CLOCK.finditer(text)]


def name_spans(text: str, question_terms: set[str]) -> list[tuple[int, int]]:
    """Capitalised names the question does not already contain (the sentence's first word aside)."""
    spans = []
    for m in _NAME.finditer(text):
        if (m.start() == 0 and " " not in m.group()) or _CALENDAR_WORDS.match(m.group().strip()):
            continue
        if set(content_terms(m.group())) - question_terms:
            spans.append(m.span())
    return spans


def period_fit(asked: Period | None, periods: Sequence[Period]) -> str:
    """Does a sentence speak about the asked period? A figure for another period is no answer.

    within: it speaks about (part of) the asked period; overlap: about a stretch reaching beyond
    it; dated: only its publication date falls in it; conflict: it speaks about another time.
    """
    if asked is None or not periods:
        return "unknown"
    stated = [p for p in periods if p.basis != "published"]
    if any(p.within(asked) for p in stated):
        return "within"
    if any(p.overlaps(asked) for p in stated):
        return "overlap"
    if not stated and any(p.overlaps(asked) for p in periods):
        return "dated"
    return "conflict"


_PERIOD_BONUS = {"within": 0.06, "overlap": 0.02, "dated": 0.0, "unknown": 0.0}


def _nearest(spans: Sequence[tuple[int, int]], text: str, terms: Sequence[str]) -> tuple[int, int] | None:
    """The span closest to where the question's terms occur in the sentence."""
    if not spans:
        return None
    lowered = text.lower()
    anchors = [m.start() for t in terms for m in re.finditer(re.escape(t[:5]), lowered)]
    if not anchors:
        # No term to anchor on: a figure in digits says more than "one" or "half".
        return max(spans, key=lambda s: any(ch.isdigit() for ch in text[s[0] : s[1]]))
    return min(spans, key=lambda s: min(abs(s[0] - a) for a in anchors))


def answer_span(kind: str, candidate: Candidate, terms: Sequence[str]) -> tuple[int, int] | None:
    text = candidate.text
    if kind == "how_many":
        return _nearest(figure_spans(text, candidate.periods), text, terms)
    if kind == "when":
        return _nearest(time_spans(text, candidate.periods), text, terms)
    if kind in ("who", "where"):
        return _nearest(name_spans(text, set(terms)), text, terms)
    return None


def lexical_overlap(terms: Sequence[str], text: str, idf: Mapping[str, float]) -> float:
    """Share of the question's terms, weighted by rarity, that the sentence contains."""
    wanted = [t for t in terms if not t.isdigit()] or list(terms)
    if not wanted:
        return 0.0
    present = set(content_terms(text))
    weights = [idf.get(t, 1.0) for t in wanted]
    return sum(w for t, w in zip(wanted, weights) if t in present) / sum(weights)


def score(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidate: Candidate,
    idf: Mapping[str, float] | None = None,
) -> Scored:
    dense = float(np.dot(question_vector, candidate.vector))
    lexical = lexical_overlap(analysis.terms, candidate.text, idf or {})
    relevance = 0.6 * dense + 0.25 * lexical + 0.15 * candidate.chunk_score
    span = answer_span(analysis.kind, candidate, analysis.terms)
    fit = period_fit(analysis.period, candidate.periods)
    bonus = 0.0
    if analysis.kind != "what":
        # A "where" or "how many" sentence that names no place or figure is context at best.
        bonus += KIND_BONUS if span else -KIND_BONUS
    if analysis.kind in ("how_many", "when"):
        # For a figure or a date the period is the point; elsewhere it only rules sentences out.
        bonus += _PERIOD_BONUS.get(fit, 0.0)
    return Scored(candidate, dense, relevance, relevance + bonus, fit, span)


def _eligible(scored: Scored, kind: str, params: AnswerParams) -> bool:
    if scored.period_fit == "conflict" or scored.relevance < params.threshold:
        return False
    # "How many" is answered by a figure; a sentence without one is context, not the answer.
    return kind != "how_many" or scored.span is not None


def _marked(scored: Scored) -> str:
    text = scored.candidate.text
    if scored.span is None:
        return text
    a, b = scored.span
    return f"{text[:a]}**{text[a:b]}**{text[b:]}"


def _period_label(scored: Scored) -> str | None:
    best = most_specific([p for p in scored.candidate.periods if p.basis != "published"])
    return label(best) if best else None


def _select(ranked: Sequence[Scored], kind: str, params: AnswerParams) -> list[Scored]:
    """The best sentence; for figures, every other figure close behind it from another source or period."""
    best = ranked[0]
    chosen = [best]
    if kind != "how_many":
        return chosen
    seen_figures = {best.candidate.text[best.span[0] : best.span[1]]}
    for s in ranked[1:]:
        if len(chosen) >= params.max_answers:
            break
        if s.relevance < best.relevance - params.margin or s.dense < best.dense - params.dense_margin:
            continue
        figure = s.candidate.text[s.span[0] : s.span[1]]
        if figure in seen_figures:
            continue
        seen_figures.add(figure)
        chosen.append(s)
    return chosen


def _citation(n: int, s: Scored) -> Citation:
    c = s.candidate
    return Citation(
        n=n, article_id=c.source.article_id, title=c.source.title, url=c.source.url,
        outlet=c.source.outlet, published=c.source.published, sentence=c.text, start=c.start,
        end=c.end, score=round(s.score, 4),
        answer_start=s.span[0] if s.span else None, answer_end=s.span[1] if s.span else None,
        period=_period_label(s),
    )


def _related(s: Scored) -> Related:
    c = s.candidate
    return Related(
        article_id=c.source.article_id, title=c.source.title, url=c.source.url,
        outlet=c.source.outlet, published=c.source.published, text=c.text, start=c.start,
        end=c.end, score=round(s.score, 4),
    )


def compose(
    question: str,
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidates: Sequence[Candidate],
    params: AnswerParams = AnswerParams(),
    idf: Mapping[str, float] | None = None,
) -> Answer:
    unique = {c.sentence_id: c for c in candidates}.values()
    ranked = sorted(
        (score(analysis, question_vector, c, idf) for c in unique),
        key=lambda s: (-s.score, s.candidate.sentence_id),
    )
    eligible = [s for s in ranked if _eligible(s, analysis.kind, params)]
    asked = analysis.period.text if analysis.period else None
    if not eligible:
        scope = f" for {asked}" if asked else ""
        return Answer(
            question=question,
            answer=f"Not in the archive: no article I have answers this{scope}.",
            abstained=True,
            related=[_related(s) for s in ranked[: params.related]],
            kind=analysis.kind,
            period=asked,
            confidence=round(_confidence(ranked, analysis.kind), 4),
        )
    chosen = _select(eligible, analysis.kind, params)
    # Further sources, for "More sources": only those nearly as relevant as the answer.
    floor = chosen[0].relevance - params.margin
    extra = [s for s in eligible if s not in chosen and s.relevance >= floor]
    extra = extra[: params.max_citations - len(chosen)]
    citations = [_citation(n, s) for n, s in enumerate(chosen + extra, start=1)]
    if len(chosen) == 1:
        text = f"{_marked(chosen[0])} [1]"
    else:
        lines = [
            f"- {_period_label(s) or 'period not stated'}: {_marked(s)} [{n}]"
            for n, s in enumerate(chosen, start=1)
        ]
        text = "Sources give these figures:\n" + "\n".join(lines)
    return Answer(
        question=question, answer=text, abstained=False, citations=citations,
        kind=analysis.kind, period=asked, confidence=round(chosen[0].relevance, 4),
    )


def _confidence(ranked: Sequence[Scored], kind: str) -> float:
    """Relevance of the best sentence that could have answered, had the threshold allowed it."""
    possible = [s.relevance for s in ranked if _eligible(s, kind, AnswerParams(threshold=-1.0))]
    return max(possible, default=0.0)
