"""Pick the sentences that answer a question and compose a cited answer from them, verbatim.

Two stages: every candidate is scored cheaply (first-stage relevance, its period, its answer
span); the best `RerankParams.depth` that a period does not rule out are read with the question
by the cross-encoder; a calibrated model (`Calibration`) turns what is known of each into the
probability that it answers, and the bot answers only above `AnswerParams.threshold`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..models import AbstainReason, Answer, AnswerKind, AnswerLine, Citation, PeriodFit, Quote
from ..params import AnswerParams
from ..text.attribution import attributed_source
from ..text.periods import label, most_specific
from ..text.spans import Span, figure_spans
from .calibration import probability
from .features import features
from .question import QuestionAnalysis
from .retrieval import Candidate
from .scoring import Encode, FirstStage, answer_span, counted_figures, first_stage, names_the_same, period_fit

Rerank = Callable[[str, list[str]], np.ndarray]


@dataclass(frozen=True)
class Judged:
    """A candidate with all that decides whether it answers."""

    candidate: Candidate
    first: FirstStage
    fit: PeriodFit
    span: Span | None
    pooled: bool  # among the best the cross-encoder reads: only these may answer
    rerank: float | None  # its logit; None without a cross-encoder
    probability: float  # 0 when not pooled
    features: Mapping[str, float]


def passage(candidate: Candidate, title: bool) -> str:
    """What the cross-encoder reads for a candidate: its article's title, then the sentence.

    Measured on SQuAD (201 answerable questions, the right sentence first): the title adds 2
    points (80.6 -> 82.6%); on RealTimeQA it changes nothing. The previous sentence must not be
    added: the sentence after the answer then inherits its evidence and wins (70.4 -> 54.6%).
    """
    heading = candidate.source.title.strip()
    if not title or not heading:
        return candidate.text
    return f"{heading if heading[-1] in '.!?:' else heading + '.'} {candidate.text}"


def _unique(candidates: Sequence[Candidate]) -> list[Candidate]:
    """One candidate for each sentence's words, with its better chunk: a sentence in two chunks,
    or a wire paragraph two different stories carry, is one statement, never cited as [1] and [2]."""
    best_of: dict[str, Candidate] = {}
    for c in candidates:
        key = " ".join(c.text.split())
        if key not in best_of or c.chunk_score > best_of[key].chunk_score:
            best_of[key] = c
    return list(best_of.values())


def judge(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidates: Sequence[Candidate],
    params: AnswerParams,
    idf: Mapping[str, float] | None = None,
    encode: Encode | None = None,
    rerank: Rerank | None = None,
) -> list[Judged]:
    """Every candidate judged, best first: those the cross-encoder read by probability, then the
    rest by first-stage relevance."""
    unique = _unique(candidates)
    first = {c.sentence_id: first_stage(analysis, question_vector, c, params, idf) for c in unique}
    fit = {c.sentence_id: period_fit(analysis.period, c.periods) for c in unique}
    by_relevance = sorted(unique, key=lambda c: (-first[c.sentence_id].relevance, c.sentence_id))
    ruled_out = PeriodFit.CONFLICT if analysis.kind.is_dated else None  # a figure for another period
    pool = [c for c in by_relevance if fit[c.sentence_id] is not ruled_out][: params.rerank.depth]
    in_pool = {c.sentence_id for c in pool}
    logits: dict[int, float] = {}
    if rerank is not None and pool:
        scores = rerank(analysis.question, [passage(c, params.rerank.title) for c in pool])
        logits = {c.sentence_id: float(s) for c, s in zip(pool, scores, strict=True)}
    # How clearly each read candidate wins (or loses) against the best of the others.
    margins = {
        i: logit - max((other for j, other in logits.items() if j != i), default=logit)
        for i, logit in logits.items()
    }
    figures = (
        counted_figures(analysis, unique, encode, params, lambda c: c.sentence_id in in_pool)
        if analysis.kind is AnswerKind.HOW_MANY
        else {}
    )
    judged = []
    for c in unique:
        span = answer_span(analysis.kind, c, analysis.terms, figures.get(c.sentence_id), analysis.period)
        s = first[c.sentence_id]
        named = features(
            kind=analysis.kind,
            asked=analysis.period,
            rerank=logits.get(c.sentence_id),
            rerank_margin=margins.get(c.sentence_id),
            relevance=s.relevance,
            lexical=s.lexical,
            chunk=c.chunk_score,
            has_span=span is not None,
            fit=fit[c.sentence_id],
            names_missing=not names_the_same(analysis, c),
            recent=s.recent,
        )
        pooled = c.sentence_id in in_pool
        judged.append(
            Judged(
                candidate=c,
                first=s,
                fit=fit[c.sentence_id],
                span=span,
                pooled=pooled,
                rerank=logits.get(c.sentence_id),
                probability=probability(named, params.calibration) if pooled else 0.0,
                features=named,
            )
        )
    return sorted(judged, key=lambda j: (-j.probability, -j.first.relevance, j.candidate.sentence_id))


def could_answer(j: Judged, kind: AnswerKind) -> bool:
    """Whatever its probability: a figure, date or time stated for another period, or a figure
    for a longer stretch than the one asked (the year's total for a December question), does not
    answer; a count, a date or a time is answered by a sentence that gives one. (For other
    questions a period the sentence states is weighed, not ruled out: "In 2022, the singer was the
    most streamed artist" can say who was asked about this week.)"""
    if not j.pooled or (kind.is_dated and j.fit is PeriodFit.CONFLICT):
        return False
    c = j.candidate
    if j.fit is PeriodFit.OVERLAP and figure_spans(c.text, c.periods):
        return False
    return not kind.is_dated or j.span is not None


def _period_label(j: Judged) -> str | None:
    """The sentence's own words for its period: a label may not bring in numbers it lacks."""
    best = most_specific([p for p in j.candidate.periods if p.basis.in_words])
    return label(best) if best else None


def _figure(j: Judged) -> str:
    assert j.span is not None  # an answer to a count always has one
    return j.candidate.text[j.span[0] : j.span[1]]


def _select(ranked: Sequence[Judged], kind: AnswerKind, params: AnswerParams) -> list[Judged]:
    """The best sentence; for a count, also each other distinct figure as close in meaning, so
    that sources that disagree or cover other periods are listed, not silently dropped."""
    best = ranked[0]
    chosen = [best]
    if kind is not AnswerKind.HOW_MANY:
        return chosen
    seen_figures = {_figure(best)}
    for j in ranked[1:]:
        if len(chosen) >= params.max_answers:
            break
        # Another source may word the same figure differently ("vehicular hijackings" for
        # "carjackings"): closeness in meaning decides, not shared words.
        if j.first.dense < best.first.dense - params.dense_margin:
            continue
        figure = _figure(j)
        if figure not in seen_figures:
            seen_figures.add(figure)
            chosen.append(j)
    return chosen


def _quote(j: Judged) -> Quote:
    c = j.candidate
    return Quote(source=c.source, sentence=c.text, start=c.start, end=c.end, score=round(j.probability, 4))


def _citation(n: int, j: Judged) -> Citation:
    source = attributed_source(j.candidate.text)
    return Citation(
        **dict(_quote(j)),
        n=n,
        answer_span=j.span,
        period=_period_label(j),
        attributed_to=j.candidate.text[source[0] : source[1]] if source else None,
    )


def _coverage(analysis: QuestionAnalysis, judged: Sequence[Judged]) -> tuple[dt.date | None, dt.date | None]:
    """When nothing found speaks of or dates from the asked period at all: the publication
    dates the archive's passages on this topic do span (else no dates)."""
    near = (PeriodFit.WITHIN, PeriodFit.OVERLAP, PeriodFit.DATED, PeriodFit.UNKNOWN)
    if analysis.period is None or any(j.fit in near for j in judged):
        return None, None
    dates = [j.candidate.source.published for j in judged if j.candidate.source.published]
    return (min(dates), max(dates)) if dates else (None, None)


def compose(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidates: Sequence[Candidate],
    params: AnswerParams,
    idf: Mapping[str, float] | None = None,
    encode: Encode | None = None,
    rerank: Rerank | None = None,
) -> Answer:
    """`encode` (the embedding model) checks that a figure counts what the question counts;
    `rerank` (the cross-encoder) reads the best candidates with the question."""
    judged = judge(analysis, question_vector, candidates, params, idf, encode, rerank)
    possible = [j for j in judged if could_answer(j, analysis.kind)]
    eligible = [j for j in possible if j.probability >= params.threshold]
    asked = analysis.period.text if analysis.period else None
    oldest, newest = _coverage(analysis, judged)
    # A figure, date or time belongs to a period: when nothing found speaks of the asked one or
    # was published in it, a sentence stating none gives its own article's time, not the one
    # asked ("how many in 2019?" of 2022 articles), however close its words.
    if analysis.kind.is_dated and newest:
        eligible = []
    if not eligible:
        return Answer(
            question=analysis.question,
            abstained=True,
            abstain_reason=AbstainReason.PERIOD_NOT_COVERED if newest else AbstainReason.NO_ANSWER,
            related=[_quote(j) for j in judged[: params.related]],
            kind=analysis.kind,
            period=asked,
            covered_from=oldest,
            covered_to=newest,
            confidence=round(max((j.probability for j in possible), default=0.0), 4),
        )
    chosen = _select(eligible, analysis.kind, params)
    # Further sources, for "More sources": the next most likely, each clearing the threshold too.
    extra = [j for j in eligible if j not in chosen][: max(0, params.max_citations - len(chosen))]
    quoted = [_citation(n, j) for n, j in enumerate(chosen + extra, start=1)]
    citations, more = quoted[: len(chosen)], quoted[len(chosen) :]
    lines = [AnswerLine(citation=c.n, period=c.period) for c in citations]
    return Answer(
        question=analysis.question,
        abstained=False,
        lines=lines,
        citations=citations,
        more_sources=more,
        kind=analysis.kind,
        period=asked,
        confidence=round(chosen[0].probability, 4),
    )
