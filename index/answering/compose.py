"""Pick the sentences that answer a question and compose a cited answer from them, verbatim."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..models import (
    AbstainReason,
    Answer,
    AnswerKind,
    AnswerLine,
    Citation,
    PeriodFit,
    Quote,
)
from ..params import AnswerParams
from ..text.periods import label, most_specific
from ..text.spans import figure_spans
from .question import QuestionAnalysis
from .retrieval import Candidate
from .scoring import Encode, Scored, counted_figures, period_fit, relevance, score


def _eligible(scored: Scored, kind: AnswerKind, threshold: float) -> bool:
    if scored.period_fit is PeriodFit.CONFLICT or scored.relevance < threshold:
        return False
    c = scored.candidate
    # A figure for a longer stretch than the one asked about (the year's total for a December
    # question) does not answer it, whatever the question's wording.
    if scored.period_fit is PeriodFit.OVERLAP and figure_spans(c.text, c.periods):
        return False
    # A count, a date or a time is answered by a sentence that gives one.
    return not kind.is_dated or scored.span is not None


def _period_label(scored: Scored) -> str | None:
    """The sentence's own words for its period: a label may not bring in numbers it lacks."""
    best = most_specific([p for p in scored.candidate.periods if p.basis.in_words])
    return label(best) if best else None


def _figure(scored: Scored) -> str:
    assert scored.span is not None  # an eligible count always has one
    return scored.candidate.text[scored.span[0] : scored.span[1]]


def _select(ranked: Sequence[Scored], kind: AnswerKind, params: AnswerParams) -> list[Scored]:
    """The best sentence; for a count, also each other distinct figure as close in meaning, so
    that sources that disagree or cover other periods are listed, not silently dropped."""
    best = ranked[0]
    chosen = [best]
    if kind is not AnswerKind.HOW_MANY:
        return chosen
    seen_figures = {_figure(best)}
    for s in ranked[1:]:
        if len(chosen) >= params.max_answers:
            break
        # Another source may word the same figure differently ("vehicular hijackings" for
        # "carjackings"): closeness in meaning decides, not shared words.
        if s.dense < best.dense - params.dense_margin:
            continue
        figure = _figure(s)
        if figure in seen_figures:
            continue
        seen_figures.add(figure)
        chosen.append(s)
    return chosen


def _quote(s: Scored) -> Quote:
    c = s.candidate
    return Quote(source=c.source, sentence=c.text, start=c.start, end=c.end, score=round(s.score, 4))


def _citation(n: int, s: Scored) -> Citation:
    return Citation(**dict(_quote(s)), n=n, answer_span=s.span, period=_period_label(s))


def _unique(candidates: Sequence[Candidate]) -> list[Candidate]:
    """One candidate a sentence: a sentence in two chunks counts with its better chunk."""
    best_of: dict[int, Candidate] = {}
    for c in candidates:
        if c.sentence_id not in best_of or c.chunk_score > best_of[c.sentence_id].chunk_score:
            best_of[c.sentence_id] = c
    return list(best_of.values())


def compose(
    analysis: QuestionAnalysis,
    question_vector: np.ndarray,
    candidates: Sequence[Candidate],
    params: AnswerParams,
    idf: Mapping[str, float] | None = None,
    encode: Encode | None = None,
) -> Answer:
    """`encode` (the model) checks that a figure counts what the question counts; without it,
    any figure in a sentence naming the question's places may answer."""
    unique = _unique(candidates)

    def could_answer(c: Candidate) -> bool:
        return (
            relevance(analysis, question_vector, c, params, idf)[1] >= params.threshold
            and period_fit(analysis.period, c.periods) is not PeriodFit.CONFLICT
        )

    figures = (
        counted_figures(analysis, unique, encode, params, could_answer)
        if analysis.kind is AnswerKind.HOW_MANY
        else {}
    )
    ranked = sorted(
        (score(analysis, question_vector, c, params, idf, figures.get(c.sentence_id)) for c in unique),
        key=lambda s: (-s.score, s.candidate.sentence_id),
    )
    eligible = [s for s in ranked if _eligible(s, analysis.kind, params.threshold)]
    asked = analysis.period.text if analysis.period else None
    if not eligible:
        return Answer(
            question=analysis.question,
            abstained=True,
            abstain_reason=AbstainReason.NO_ANSWER,
            related=[_quote(s) for s in ranked[: params.related]],
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
    lines = [AnswerLine(citation=c.n, period=c.period) for c in citations[: len(chosen)]]
    return Answer(
        question=analysis.question,
        abstained=False,
        lines=lines,
        citations=citations,
        kind=analysis.kind,
        period=asked,
        confidence=round(chosen[0].relevance, 4),
    )


def _confidence(ranked: Sequence[Scored], kind: AnswerKind) -> float:
    """Relevance of the best sentence that could have answered, had the threshold allowed it
    (below the threshold, a figure counts what was asked only when it shares a word with it)."""
    return max((s.relevance for s in ranked if _eligible(s, kind, threshold=-1.0)), default=0.0)
