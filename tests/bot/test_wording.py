"""What both front ends say alike: an answer leads with its span and the period it is for, and
says in a line how the question was read."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.wording import lead, reading_line
from index.models import AnswerKind, AnswerLine, ArticleFilter
from tests.fixtures.answers import listing, read_as


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


def test_the_reading_line_names_the_kind_the_counted_thing_the_period_and_all_outlets():
    assert reading_line(read_as()) == "Read as: how many · carjackings · in 2021 · all outlets"


def test_the_reading_line_gives_the_as_of_day_and_the_days_of_a_relative_period_when_they_matter():
    reading = read_as(
        period="last week",
        period_from=dt.date(2022, 7, 18),
        period_to=dt.date(2022, 7, 24),
        as_of=dt.date(2022, 7, 28),
        as_of_matters=True,
    )
    assert reading_line(reading) == (
        "Read as: how many · carjackings · last week (2022-07-18 to 2022-07-24) · as of 2022-07-28 · "
        "all outlets"
    )


@pytest.mark.parametrize(
    ("filters", "shown"),
    [
        (ArticleFilter(outlet="NBC 5 Chicago"), "NBC 5 Chicago only"),
        (ArticleFilter(since=dt.date(2022, 1, 1)), "all outlets · published since 2022-01-01"),
        (ArticleFilter(until=dt.date(2022, 6, 30)), "all outlets · published until 2022-06-30"),
        (
            ArticleFilter(outlet="Sun-Times", since=dt.date(2022, 1, 1), until=dt.date(2022, 6, 30)),
            "Sun-Times only · published 2022-01-01 to 2022-06-30",
        ),
    ],
)
def test_the_reading_line_ends_with_the_outlet_and_publication_dates_filtered_on(filters, shown):
    assert reading_line(read_as(filters=filters)) == f"Read as: how many · carjackings · in 2021 · {shown}"


def test_a_question_that_counts_nothing_is_read_as_its_kind_and_subject_at_any_time():
    reading = read_as(kind=AnswerKind.WHO, counted=None, subject="shot sergeant", period=None)
    assert reading_line(reading) == "Read as: who · shot sergeant · any time · all outlets"
