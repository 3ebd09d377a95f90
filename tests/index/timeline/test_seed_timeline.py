"""The shipped corpus's officer shootings as a timeline, with the real model (slow)."""

from __future__ import annotations

import datetime as dt

import pytest

from index.models import PeriodBasis

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("topic", ["officer shootings", "shootings of police officers"])
def test_the_sunday_sergeant_shooting_comes_before_the_monday_ambush_and_both_before_july_2022(
    seed_engine, topic
):
    events = seed_engine.timeline(topic).events
    sentences = [e.quote.sentence for e in events]

    def when(*words: str) -> int:
        return next(i for i, s in enumerate(sentences) if any(w in s for w in words))

    # Either of the two sentences that report the Sunday shooting leads it (the article's most
    # on-topic one); the other is the same event from the same article, not listed again.
    sunday = when("On Sunday, a police sergeant was wounded", "The sergeant was treated for a graze wound")
    assert sum("Sunday" in s and "sergeant" in s for s in sentences) == 1
    monday = when("On Monday, an officer who was stopped at a traffic light")
    carjacking = when("the encounter escalated to an exchange of gunfire")
    assert sunday < monday < carjacking
    assert events[sunday].period.start == dt.date(2021, 3, 14) and "Sunday" in events[sunday].date_words
    assert events[monday].period.start == dt.date(2021, 3, 15) and events[monday].date_words == "Monday"
    # The carjacking attempt's sentences give no date: it is placed, marked, on its article's day.
    assert events[carjacking].period.basis is PeriodBasis.PUBLISHED
    assert events[carjacking].period.start == dt.date(2022, 7, 28)
