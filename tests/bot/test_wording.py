"""What both front ends say alike: an answer leads with its span and the period it is for."""

from __future__ import annotations

import pytest

from bot.wording import lead
from index.models import AnswerLine
from tests.fixtures.answers import listing


@pytest.mark.parametrize(
    ("period", "shown"),
    [
        ("2021", "942 in 2021"),
        ("March 2021", "942 in March 2021"),
        ("July 24, 2022", "942 on July 24, 2022"),
        ("Monday", "942 on Monday"),
        ("from Jan. 1 through July 24 of 2022", "942 from Jan. 1 through July 24 of 2022"),
        ("last year", "942 last year"),
        (None, "942"),
    ],
)
def test_one_statement_leads_with_its_span_and_the_period_in_words(period, shown):
    answer = listing().model_copy(update={"lines": [AnswerLine(citation=2, period=period)]})
    assert lead(answer) == shown


def test_a_listing_of_several_figures_or_an_abstention_has_no_lead():
    assert lead(listing()) is None
    assert lead(listing().model_copy(update={"abstained": True})) is None
