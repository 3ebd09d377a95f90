"""Why an answer is what it is, in words: how the question was read and what became of the best
candidate sentences (chosen, not chosen, below the threshold, ruled out, not read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ..models import (
    Answer,
    AnswerKind,
    ArticleFilter,
    ExplainedCandidate,
    Explanation,
    PeriodFit,
    QuestionReading,
    Verdict,
)
from ..params import AnswerParams
from ..text.spans import figure_spans
from .compose import Judged, could_answer
from .question import QuestionAnalysis, subject

_WHAT_IT_GIVES = {AnswerKind.HOW_MANY: "figure", AnswerKind.WHEN: "date", AnswerKind.TIME: "time"}


def reading(analysis: QuestionAnalysis, as_of: dt.date, *, filters: ArticleFilter) -> QuestionReading:
    """How the question was read as of `as_of`, with `filters` as the archive names its outlet."""
    period = analysis.period
    return QuestionReading(
        kind=analysis.kind,
        period=period.text if period else None,
        period_from=period.start if period else None,
        period_to=period.end if period else None,
        as_of=as_of,
        counted=analysis.counted,
        names=analysis.names,
        terms=analysis.terms,
        read_as=analysis.text,
        subject=subject(analysis.text, period),
        as_of_matters=analysis.news_of is not None,
        filters=filters,
    )


def _ruled_out(j: Judged, analysis: QuestionAnalysis) -> str:
    """Why a candidate the cross-encoder may read cannot answer, in words."""
    asked = analysis.period.text if analysis.period else None
    if j.fit is PeriodFit.CONFLICT:
        return f"it states another period than {asked}"
    if j.fit is PeriodFit.OVERLAP and figure_spans(j.candidate.text, j.candidate.periods):
        return f"its figure covers a longer stretch than {asked}"
    if analysis.kind is AnswerKind.HOW_MANY and analysis.counted:
        return f"it gives no figure that counts {analysis.counted}"
    return f"it gives no {_WHAT_IT_GIVES.get(analysis.kind, 'answer')}"


def _verdict(
    j: Judged, analysis: QuestionAnalysis, answer: Answer, params: AnswerParams
) -> tuple[Verdict, str]:
    kind = analysis.kind
    key = (j.candidate.source.article_id, j.candidate.start)
    if key in {(c.source.article_id, c.start) for c in answer.citations}:
        return Verdict.CHOSEN, "the answer states it"
    if not could_answer(j, kind):
        if not j.pooled and not (kind.is_dated and j.fit is PeriodFit.CONFLICT):
            return (
                Verdict.NOT_READ,
                f"not among the {params.rerank.depth} most relevant, which alone may answer",
            )
        return Verdict.RULED_OUT, _ruled_out(j, analysis)
    if j.probability < params.threshold:
        return (
            Verdict.BELOW_THRESHOLD,
            f"probability {j.probability:.2f} is under the threshold {params.threshold:.2f}",
        )
    if key in {(c.source.article_id, c.start) for c in answer.more_sources}:
        return Verdict.NOT_CHOSEN, "listed under more sources: nearly as likely as the answer"
    return Verdict.NOT_CHOSEN, "a more likely sentence, or one with the same figure, was chosen"


def explanation(
    analysis: QuestionAnalysis,
    judged: Sequence[Judged],
    answer: Answer,
    read: QuestionReading,
    params: AnswerParams,
) -> Explanation:
    """The question as read, and the best `params.explained` candidates with their scores and
    verdicts."""
    explained = []
    for j in judged[: params.explained]:
        verdict, reason = _verdict(j, analysis, answer, params)
        explained.append(
            ExplainedCandidate(
                sentence=j.candidate.text,
                article_id=j.candidate.source.article_id,
                title=j.candidate.source.title,
                relevance=round(j.first.relevance, 4),
                dense=round(j.first.dense, 4),
                lexical=round(j.first.lexical, 4),
                rerank=None if j.rerank is None else round(j.rerank, 4),
                probability=round(j.probability, 4),
                period_fit=j.fit,
                verdict=verdict,
                reason=reason,
            )
        )
    return Explanation(reading=read, threshold=params.threshold, candidates=explained)
