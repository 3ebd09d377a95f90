"""When a sentence says its event happened, and the order of events whose periods nest."""

from __future__ import annotations

import datetime as dt

from index.models import Period, PeriodBasis, Quote, Source, TimelineEvent
from index.timeline.dating import date_span, event_period
from index.timeline.events import order_key

D = dt.date


def period(start: dt.date, end: dt.date, basis: PeriodBasis, text: str = "") -> Period:
    return Period(start=start, end=end, basis=basis, text=text)


def test_the_sentences_own_words_win_over_a_carried_date_and_the_publication_day():
    own = period(D(2021, 3, 14), D(2021, 3, 14), PeriodBasis.RELATIVE, "Sunday")
    year = period(D(2021, 1, 1), D(2021, 12, 31), PeriodBasis.STATED, "2021")
    assert event_period([year, own]) == own  # the narrowest of its own
    carried = period(D(2021, 3, 1), D(2021, 3, 31), PeriodBasis.CONTEXT, "March 2021")
    published = period(D(2021, 3, 16), D(2021, 3, 16), PeriodBasis.PUBLISHED)
    assert event_period([published, carried]) == carried
    assert event_period([published]) == published
    assert event_period([]) is None


def test_date_words_are_found_in_the_sentence_only_when_they_are_its_own():
    sentence = "On Sunday, a police sergeant was wounded."
    assert date_span(sentence, period(D(2021, 3, 14), D(2021, 3, 14), PeriodBasis.RELATIVE, "Sunday")) == (
        3,
        9,
    )
    carried = period(D(2021, 3, 14), D(2021, 3, 14), PeriodBasis.CONTEXT, "Sunday")
    assert date_span(sentence, carried) is None


def event(start: dt.date, end: dt.date) -> TimelineEvent:
    source = Source(article_id="a", title="t", url=None, outlet=None, published=D(2022, 1, 5))
    quote = Quote(source=source, sentence="s", start=0, end=1, score=1.0)
    return TimelineEvent(period=period(start, end, PeriodBasis.STATED), quote=quote)


def test_a_longer_period_sorts_by_its_first_day_after_a_day_that_starts_it():
    day_one, year, march = (
        event(D(2021, 1, 1), D(2021, 1, 1)),
        event(D(2021, 1, 1), D(2021, 12, 31)),
        event(D(2021, 3, 14), D(2021, 3, 14)),
    )
    assert sorted([march, year, day_one], key=order_key) == [day_one, year, march]
