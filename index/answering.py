"""Pick the sentences that answer a question and compose a cited answer from them, verbatim."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .models import Answer, Citation, Period, Related, Source
from .periods import label, most_specific
from .question import QuestionAnalysis
from .text import content_terms


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

    @cached_property
    def terms(self) -> frozenset[str]:
        """Its content terms, worked out once: several checks compare them."""
        return frozenset(content_terms(self.text))


@dataclass(frozen=True)
class AnswerParams:
    # Calibrated on the news gold set (see README, "Evaluation"): below it the bot abstains.
    threshold: float = 0.40
    # Further figures are listed when as close in meaning as the best (dense similarity within
    # `dense_margin`); further citations when nearly as relevant (within `margin`).
    margin: float = 0.15
    dense_margin: float = 0.08
    max_answers: int = 4
    max_citations: int = 8
    related: int = 3


KIND_BONUS = 0.08
# Measured with all-MiniLM-L6-v2: "carjackings" vs "942 vehicular hijackings, which averages"
# 0.57, "shooters" vs "at least two gunmen who ambushed" 0.40; "homicides" vs "nearly 2,098
# incidents of vehicular hijacking" 0.30.
COUNTED_MIN_SIMILARITY = 0.35
COUNTED_WINDOW_WORDS = 5
Encode = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    dense: float
    relevance: float
    score: float
    period_fit: str  # within | overlap | dated | unknown | conflict (see period_fit)
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
    rf"(?<![\w$.,]){_QUALIFIER}(?:\$\s?\d[\d,]*(?:\.\d+)?(?!\d)|\d[\d,]*(?:\.\d+)?(?!\d)|{_NUMBER_WORDS}\b)"
    r"(?:\s?(?:%|percent|million|billion|thousand))?(?:-year-old)?(?!\s+block\b)",
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


# Numbers that are part of a name: "NBC 5", "COVID-19", "Route 66", "Area 2".
_NAMED_NUMBER = re.compile(
    r"\b(?:[A-Z]{2,}|Route|Highway|Interstate|Channel|Area|District|Ward|Precinct|Station|"
    r"Room|Gate|Terminal|Line|No\.)[ -](\d+)\b"
)


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
            spans.append((m.start(), m.start() + len(m.group().rstrip())))
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
# For a place, a name or a fact, a sentence from an article of that time is as good as one
# that states the time; one about a longer stretch is less likely to be about the asked event.
_CONTEXT_PERIOD_BONUS = {"within": 0.04, "dated": 0.04, "overlap": 0.0, "unknown": 0.0}


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


def answer_span(
    kind: str,
    candidate: Candidate,
    terms: Sequence[str],
    figures: Sequence[tuple[int, int]] | None = None,
) -> tuple[int, int] | None:
    """Where in the sentence the answer is; `figures` narrows a count to the right things."""
    text = candidate.text
    if kind == "how_many":
        spans = figure_spans(text, candidate.periods) if figures is None else figures
        return _nearest(spans, text, terms)
    if kind == "when":
        return _nearest(time_spans(text, candidate.periods), text, terms)
    if kind == "time":
        return _nearest([m.span() for m in _CLOCK.finditer(text)], text, terms)
    if kind in ("who", "where"):
        return _nearest(name_spans(text, set(terms)), text, terms)
    return None


def lexical_overlap(terms: Sequence[str], present: frozenset[str], idf: Mapping[str, float]) -> float:
    """Share of the question's terms, weighted by rarity, among a sentence's terms (`present`)."""
    wanted = [t for t in terms if not t.isdigit()] or list(terms)
    if not wanted:
        return 0.0
    weights = [idf.get(t, 1.0) for t in wanted]
    return sum(w for t, w in zip(wanted, weights) if t in present) / sum(weights)


def relevance(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidate: Candidate,
    idf: Mapping[str, float] | None = None,
) -> tuple[float, float]:
    """(dense similarity, relevance): how well a sentence matches, before what it must contain."""
    dense = float(np.dot(question_vector, candidate.vector))
    lexical = lexical_overlap(analysis.terms, candidate.terms, idf or {})
    return dense, 0.6 * dense + 0.25 * lexical + 0.15 * candidate.chunk_score


def score(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidate: Candidate,
    idf: Mapping[str, float] | None = None,
    figures: Sequence[tuple[int, int]] | None = None,
) -> Scored:
    dense, relevance_ = relevance(analysis, question_vector, candidate, idf)
    span = answer_span(analysis.kind, candidate, analysis.terms, figures)
    fit = period_fit(analysis.period, candidate.periods)
    bonus = 0.0
    if analysis.kind != "what":
        # A "where" or "how many" sentence that names no place or figure is context at best.
        bonus += KIND_BONUS if span else -KIND_BONUS
    if analysis.kind in ("how_many", "when", "time"):
        bonus += _PERIOD_BONUS.get(fit, 0.0)
    else:
        bonus += _CONTEXT_PERIOD_BONUS.get(fit, 0.0)
    return Scored(candidate, dense, relevance_, relevance_ + bonus, fit, span)


def names_the_same(analysis: QuestionAnalysis, candidate: Candidate) -> bool:
    """A figure for Chicago does not answer a question about New York City: the names the
    question gives must appear in the sentence or its article's title."""
    present = candidate.terms | set(content_terms(candidate.source.title))
    return all(set(content_terms(name)) <= present for name in analysis.names)


def _window(text: str, span: tuple[int, int]) -> str:
    """A figure and the words after it: "nearly 2,098 incidents of vehicular hijacking"."""
    after = text[span[1] :].split()[:COUNTED_WINDOW_WORDS]
    return " ".join([text[span[0] : span[1]], *after])


def _shares_word(wanted: set[str], words_: Sequence[str]) -> bool:
    """'shot' is in 'gunshots', 'year' in '32-year-old': a shared stem, whole or inside a word."""
    return any(w == x or (len(w) >= 4 and w in x) for w in wanted for x in words_)


def counted_figures(
    analysis: QuestionAnalysis,
    candidates: Sequence[Candidate],
    encode: Encode | None,
    could_answer: Callable[[Candidate], bool] = lambda c: True,
) -> dict[int, list[tuple[int, int]]]:
    """The figures of each candidate that count what the question counts.

    A figure counts the question's thing when the words after it share a word with it, or
    mean nearly the same ("942 vehicular hijackings" for "carjackings"; not for "homicides").
    Meaning takes the model, so it is asked only of candidates that `could_answer`.
    """
    allowed: dict[int, list[tuple[int, int]]] = {}
    pending: list[tuple[int, tuple[int, int], str]] = []
    wanted = set(content_terms(analysis.counted or ""))
    for c in candidates:
        allowed[c.sentence_id] = []
        if not names_the_same(analysis, c):
            continue
        for span in figure_spans(c.text, c.periods):
            window = _window(c.text, span)
            if encode is None or not wanted or _shares_word(wanted, content_terms(window)):
                allowed[c.sentence_id].append(span)
            elif could_answer(c):
                pending.append((c.sentence_id, span, window))
    if pending and encode is not None and analysis.counted:
        vectors = encode([analysis.counted] + [w for _, _, w in pending])
        for (sentence_id, span, _), similarity in zip(pending, vectors[1:] @ vectors[0]):
            if similarity >= COUNTED_MIN_SIMILARITY:
                allowed[sentence_id].append(span)
    for spans in allowed.values():
        spans.sort()
    return allowed


def _eligible(scored: Scored, kind: str, params: AnswerParams) -> bool:
    if scored.period_fit == "conflict" or scored.relevance < params.threshold:
        return False
    c = scored.candidate
    # A figure for a longer stretch than the one asked about (the year's total for a December
    # question) does not answer it, whatever the question's wording.
    if scored.period_fit == "overlap" and figure_spans(c.text, c.periods):
        return False
    # A count, a date or a time is answered by a sentence that gives one.
    return kind not in ("how_many", "when", "time") or scored.span is not None


def _marked(scored: Scored) -> str:
    text = scored.candidate.text
    if scored.span is None:
        return text
    a, b = scored.span
    return f"{text[:a]}**{text[a:b]}**{text[b:]}"


def _period_label(scored: Scored) -> str | None:
    """The sentence's own words for its period: a label may not bring in numbers it lacks."""
    own = [p for p in scored.candidate.periods if p.basis in ("stated", "relative")]
    best = most_specific(own)
    return label(best) if best else None


def _select(ranked: Sequence[Scored], kind: str, params: AnswerParams) -> list[Scored]:
    """The best sentence; for a count, also each other distinct figure as close in meaning, so
    that sources that disagree or cover other periods are listed, not silently dropped."""
    best = ranked[0]
    chosen = [best]
    if kind != "how_many":
        return chosen
    seen_figures = {best.candidate.text[best.span[0] : best.span[1]]}
    for s in ranked[1:]:
        if len(chosen) >= params.max_answers:
            break
        # Another source may word the same figure differently ("vehicular hijackings" for
        # "carjackings"): closeness in meaning decides, not shared words.
        if s.dense < best.dense - params.dense_margin:
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
    encode: Encode | None = None,
) -> Answer:
    """`encode` (the model) checks that a figure counts what the question counts; without it,
    any figure in a sentence naming the question's places may answer."""
    best_of: dict[int, Candidate] = {}
    for c in candidates:  # a sentence in two chunks counts with its better chunk
        if c.sentence_id not in best_of or c.chunk_score > best_of[c.sentence_id].chunk_score:
            best_of[c.sentence_id] = c
    unique = list(best_of.values())

    def could_answer(c: Candidate) -> bool:
        return (
            relevance(analysis, question_vector, c, idf)[1] >= params.threshold
            and period_fit(analysis.period, c.periods) != "conflict"
        )

    figures = (
        counted_figures(analysis, unique, encode, could_answer) if analysis.kind == "how_many" else {}
    )
    ranked = sorted(
        (score(analysis, question_vector, c, idf, figures.get(c.sentence_id)) for c in unique),
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
            f"- {_period_label(s) or 'period not stated in the sentence'}: {_marked(s)} [{n}]"
            for n, s in enumerate(chosen, start=1)
        ]
        text = "Sources give these figures:\n" + "\n".join(lines)
    return Answer(
        question=question, answer=text, abstained=False, citations=citations,
        kind=analysis.kind, period=asked, confidence=round(chosen[0].relevance, 4),
    )


def _confidence(ranked: Sequence[Scored], kind: str) -> float:
    """Relevance of the best sentence that could have answered, had the threshold allowed it
    (below the threshold, a figure counts what was asked only when it shares a word with it)."""
    possible = [s.relevance for s in ranked if _eligible(s, kind, AnswerParams(threshold=-1.0))]
    return max(possible, default=0.0)
