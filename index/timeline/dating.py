"""When a sentence says its event happened: the period its words give, else the one it carries
from the sentence before it, else its article's publication day."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import Period, PeriodBasis


def event_period(periods: Sequence[Period]) -> Period | None:
    """The narrowest period the sentence's own words state; else the narrowest it carries from
    the sentence before; else its publication day; None for a sentence of an undated article
    that states no date."""
    for wanted in (
        (PeriodBasis.STATED, PeriodBasis.RELATIVE),
        (PeriodBasis.CONTEXT,),
        (PeriodBasis.PUBLISHED,),
    ):
        found = [p for p in periods if p.basis in wanted]
        if found:
            return min(found, key=lambda p: p.days)
    return None


def date_span(sentence: str, period: Period) -> tuple[int, int] | None:
    """Where the words that state `period` are within `sentence`; None when its words do not
    state it (carried from the sentence before, or the publication day)."""
    if not period.basis.in_words or not period.text:
        return None
    at = sentence.find(period.text)
    return (at, at + len(period.text)) if at >= 0 else None
