"""What the calibrated model knows of a candidate sentence: a few numbers, each named.

Each feature is defined so that 0 means "says nothing": the model's weights (index/params.py,
`Calibration`) are fitted on development data by `newsbot calibrate`.
"""

from __future__ import annotations

from ..models import AnswerKind, Period, PeriodFit

# The cross-encoder's logits run from about -11 to +11: scaled to about [-1, 1].
RERANK_SCALE = 10.0

FEATURES = (
    "rerank",  # the cross-encoder's logit for the question and the sentence in context, scaled
    "rerank_margin",  # how far its logit is above the best other candidate's (negative: below), scaled
    "relevance",  # first-stage relevance (dense, lexical and chunk scores weighted)
    "lexical",  # IDF-weighted share of the question's terms in the sentence
    "chunk",  # the fused retrieval score of the sentence's chunk, scaled to [0, 1]
    "span",  # a question after a figure, date, time or name: the sentence holds one
    "no_span",  # ... and it holds none
    "within",  # a period is asked: the sentence states (part of) it
    "overlap",  # ... it states a stretch reaching beyond it
    "dated",  # ... it states none, and its article was published in it
    "outside",  # ... it states none, and its article was published at another time
    "conflict",  # ... it states another one (ruled out for figures, dates and times)
    "names_missing",  # the question names a place, person or body the sentence and title lack
    "recent",  # a question about a day's news asking no period: how recent the article was that day
)

# Features that can only count against a sentence: `newsbot calibrate` keeps their weights <= 0.
PENALTIES = frozenset({"no_span", "outside", "conflict", "names_missing"})

_FITS = {
    PeriodFit.WITHIN: "within",
    PeriodFit.OVERLAP: "overlap",
    PeriodFit.DATED: "dated",
    PeriodFit.OUTSIDE: "outside",
    PeriodFit.CONFLICT: "conflict",
}


def features(
    *,
    kind: AnswerKind,
    asked: Period | None,
    rerank: float | None,
    rerank_margin: float | None,
    relevance: float,
    lexical: float,
    chunk: float,
    has_span: bool,
    fit: PeriodFit,
    names_missing: bool,
    recent: float,
) -> dict[str, float]:
    """The named features of one candidate (`rerank` None when the cross-encoder did not read it)."""
    out = {
        "rerank": (rerank or 0.0) / RERANK_SCALE,
        "rerank_margin": (rerank_margin or 0.0) / RERANK_SCALE,
        "relevance": relevance,
        "lexical": lexical,
        "chunk": chunk,
        "span": float(kind.wants_span and has_span),
        "no_span": float(kind.wants_span and not has_span),
        "names_missing": float(names_missing),
        # A period asked ("this week") is judged by the period fit (within ... outside); recency
        # would count the article's date twice.
        "recent": recent if asked is None else 0.0,
    }
    if asked is not None and fit in _FITS:
        out[_FITS[fit]] = 1.0
    return out
