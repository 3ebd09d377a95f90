"""Figures as records: the value parsed with its unit, currency and qualifier, what it counts,
where, and for which period."""

from __future__ import annotations

import datetime as dt

import pytest

from index.models import FigureValue, Period, PeriodBasis
from index.text.counting import Counted, counted_thing, plural
from index.text.figures import figure_period, parse_value, place_of, sentence_figures
from index.text.periods import find_periods, tag_sentences
from tests.fixtures.figures import NEWS_STYLE

PUBLISHED = dt.date(2022, 7, 28)


@pytest.mark.parametrize(
    ("text", "number", "unit", "currency", "qualifier"),
    [
        ("nearly 2,098", 2098, None, None, "nearly"),
        ("more than 500", 500, None, None, "more than"),
        ("£124bn", 124e9, None, "GBP", None),
        ("$2.3 billion", 2.3e9, None, "USD", None),
        ("€5m", 5e6, None, "EUR", None),
        ("12.3%", 12.3, "percent", None, None),
        ("45 per cent", 45, "percent", None, None),
        ("9.85 seconds", 9.85, "seconds", None, None),
        ("30k", 30_000, None, None, None),
        ("three", 3, None, None, None),
        ("a dozen", 12, None, None, None),
        ("two hundred", 200, None, None, None),
        ("32-year-old", 32, "years old", None, None),
        ("5p", 5, "pence", "GBP", None),
        ("at least 1,500", 1500, None, None, "at least"),
    ],
)
def test_a_figure_is_parsed_into_its_number_unit_currency_and_qualifier(
    text, number, unit, currency, qualifier
):
    value = parse_value(text)
    assert value == FigureValue(text=text, number=number, unit=unit, currency=currency, qualifier=qualifier)


def test_words_that_are_no_figure_parse_to_nothing():
    assert parse_value("several") is None


@pytest.mark.parametrize(
    ("sentence", "figure", "thing", "part"),
    [
        (
            "Chicago saw nearly 2,098 incidents of vehicular hijacking.",
            "nearly 2,098",
            "incidents of vehicular hijacking",
            False,
        ),
        (
            "Chicago saw 942 vehicular hijackings, which averages to more than four a day.",
            "942",
            "vehicular hijackings",
            False,
        ),
        ("More than 500 carjackings had already been logged.", "More than 500", "carjackings", False),
        ("Three people attempted to rob the officer.", "Three", "people", False),
        ("Just 57 of those cases have resulted in an arrest.", "Just 57", "arrests", True),
        ("Only 12 of them ended in a conviction.", "Only 12", "convictions", True),
        ("Twelve of those drivers were fined.", "Twelve", "drivers", True),
        ("That averages to more than four a day.", "more than four", None, False),
    ],
)
def test_the_thing_a_figure_counts_is_the_noun_phrase_after_it(sentence, figure, thing, part):
    at = sentence.index(figure)
    counted = counted_thing(sentence, (at, at + len(figure)))
    assert (counted.thing if counted else None) == thing
    assert bool(counted and counted.part_of_previous) is part


def test_counted_things_are_named_in_the_plural():
    assert [plural(w) for w in ("arrest", "injury", "box", "cases", "day")] == [
        "arrests",
        "injuries",
        "boxes",
        "cases",
        "days",
    ]


def test_a_figure_covers_the_narrowest_of_the_periods_its_sentence_states_that_overlap():
    text = "Earlier this year, the Times reported more than 500 carjackings from January to April of 2022."
    periods = find_periods(text, PUBLISHED)
    at = text.index("more than 500")
    period = figure_period(text, (at, at + 13), periods)
    assert (period.start, period.end, period.text) == (
        dt.date(2022, 1, 1),
        dt.date(2022, 4, 30),
        "from January to April of 2022",
    )


def test_a_figure_covers_the_period_stated_nearest_it_when_the_sentence_states_several_apart():
    text = "Thefts rose from 1,200 in 2003 to 1,500 in 2004."
    periods = find_periods(text, PUBLISHED)
    first, second = text.index("1,200"), text.index("1,500")
    assert figure_period(text, (first, first + 5), periods).text == "2003"
    assert figure_period(text, (second, second + 5), periods).text == "2004"


def test_a_sentence_that_states_no_period_gives_its_figures_none():
    published = (Period(start=PUBLISHED, end=PUBLISHED, basis=PeriodBasis.PUBLISHED),)
    assert figure_period("Police made 14 arrests.", (12, 14), published) is None


def test_the_place_is_a_name_after_in_or_the_one_that_saw_the_figures_never_the_source():
    assert place_of("Chicago saw 942 vehicular hijackings.", []) == "Chicago"
    assert place_of("Burglaries in Riverton rose to 310, police said.", []) == "Riverton"
    text = "In 2021 the Cook County Sheriff's Office counted 2,098 incidents."
    assert place_of(text, []) is None


def test_the_seed_paragraph_gives_its_figures_with_things_periods_places_and_sources():
    sentences = [
        "And, according to data analyzed from NBC 5 Investigates, from Jan. 1 through July 24 of 2022, "
        "Chicago saw 942 vehicular hijackings, which averages to more than four a day.",
        "Just 57 of those cases have resulted in an arrest, according to city data.",
        "In 2021 alone, the Cook County Sheriff's Office confirms that Chicago saw nearly 2,098 "
        "incidents of vehicular hijacking.",
    ]
    periods = tag_sentences(sentences, [0, 0, 1], PUBLISHED)
    found = [sentence_figures(s, p) for s, p in zip(sentences, periods, strict=True)]
    rows = [
        (
            f.value.text,
            f.thing,
            f.part_of_previous,
            f.place,
            f.period.text if f.period else None,
            f.attributed_to,
        )
        for figures in found
        for f in figures
    ]
    assert rows == [
        (
            "942",
            "vehicular hijackings",
            False,
            "Chicago",
            "from Jan. 1 through July 24 of 2022",
            "NBC 5 Investigates",
        ),
        ("Just 57", "arrests", True, None, "from Jan. 1 through July 24 of 2022", "city data"),
        (
            "nearly 2,098",
            "incidents of vehicular hijacking",
            False,
            "Chicago",
            "2021",
            "Cook County Sheriff's Office",
        ),
    ]


@pytest.mark.parametrize(
    ("sentence", "figure"),
    [
        ("The plant closed two years ago.", "two years"),
        ("The 25th anniversary falls in May.", "25"),
        ("He ran for a 45-yard touchdown.", "45"),
        ("Prices rose three times faster.", "three"),
        ("Sales reached a 52 Source figure.", "52"),
        ("Exports went to 5 U.S. states.", "5"),
    ],
)
def test_a_time_an_age_a_rank_or_a_multiple_counts_no_thing(sentence, figure):
    at = sentence.index(figure)
    assert counted_thing(sentence, (at, at + len(figure))) is None


def test_a_plural_name_can_be_what_a_figure_counts():
    sentence = "Some 48 Democrats voted against it."
    at = sentence.index("48")
    assert counted_thing(sentence, (at, at + 2)).thing == "Democrats"


def test_a_number_hyphened_onto_a_word_or_a_small_number_in_words_is_no_record():
    found = sentence_figures("Covid-19 cases rose to 1,200 as two clinics closed.", ())
    assert [f.value.text for f in found] == ["1,200"]


def test_what_is_counted_ends_before_a_name_or_a_month():
    sentence = "Clinics gave 85,000 doses Tuesday."
    at = sentence.index("85,000")
    assert counted_thing(sentence, (at, at + 6)).thing == "doses"


@pytest.mark.parametrize(
    ("sentence", "figures"),
    [
        ("The recall covers 50,000 2003-05 vehicles.", ["50,000"]),
        ("It will move 85-90 employees.", ["85"]),
        ("That left less than two hundred thousand eligible vehicles.", []),
        ("Blizzards have left hundreds dead.", []),
        ("Some twenty officers and a dozen medics came.", ["Some twenty", "a dozen"]),
    ],
)
def test_parts_of_names_ranges_and_numbers_that_describe_are_no_records(sentence, figures):
    periods = find_periods(sentence, PUBLISHED)
    assert [f.value.text for f in sentence_figures(sentence, periods)] == figures


def test_a_part_of_those_counted_before_keeps_its_whole_noun_phrase():
    sentence = "About 60 of the reexamined vehicles have been found with flaws."
    at = sentence.index("About 60")
    assert counted_thing(sentence, (at, at + 8)) == Counted("reexamined vehicles", part_of_previous=True)


@pytest.mark.parametrize(("sentence", "record"), NEWS_STYLE)
def test_figures_in_the_style_of_real_news_give_their_expected_records(sentence, record):
    (periods,) = tag_sentences([sentence], [0], PUBLISHED)
    found = [
        (f.value.text, f.value.number, f.thing, f.place, f.period.text if f.period else None, f.attributed_to)
        for f in sentence_figures(sentence, periods)
    ]
    assert found == [record]


def test_a_number_past_a_floats_range_is_no_figure():
    assert parse_value("9" * 400) is None
    assert sentence_figures("The counter showed " + "9" * 400 + " visits.", ()) == []
