"""Which stretch of time a sentence speaks about, as stated or relative to publication."""

from __future__ import annotations

import datetime as dt

import pytest

from index.models import Period
from index.text.periods import find_periods, label, most_specific, tag_sentences

D = dt.date
# The NBC 5 article's publication date: a Thursday.
PUBLISHED = D(2022, 7, 28)


def spans(text: str, ref: dt.date | None = PUBLISHED, **kw) -> list[tuple[dt.date, dt.date]]:
    return [(p.start, p.end) for p in find_periods(text, ref, **kw)]


def only(text: str, ref: dt.date | None = PUBLISHED, **kw) -> Period:
    found = find_periods(text, ref, **kw)
    assert len(found) == 1, found
    return found[0]


# ---- stated dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("In 2021 alone, Chicago saw nearly 2,098 incidents.", D(2021, 1, 1), D(2021, 12, 31)),
        ("logged from January to April of 2022.", D(2022, 1, 1), D(2022, 4, 30)),
        ("from Jan. 1 through July 24 of 2022, Chicago saw 942", D(2022, 1, 1), D(2022, 7, 24)),
        ("on March 15, 2021, the chief said", D(2021, 3, 15), D(2021, 3, 15)),
        ("in May 2021", D(2021, 5, 1), D(2021, 5, 31)),
        ("between 2019 and 2021", D(2019, 1, 1), D(2021, 12, 31)),
        ("from 2019–2021", D(2019, 1, 1), D(2021, 12, 31)),
        ("from December to February 2022", D(2021, 12, 1), D(2022, 2, 28)),
        ("from Nov. 2021 to Feb. 2022", D(2021, 11, 1), D(2022, 2, 28)),
        ("in the first quarter of 2022", D(2022, 1, 1), D(2022, 3, 31)),
        ("the second half of 2021", D(2021, 7, 1), D(2021, 12, 31)),
        ("crime in the 1990s", D(1990, 1, 1), D(1999, 12, 31)),
        ("in February 2024", D(2024, 2, 1), D(2024, 2, 29)),
    ],
)
def test_stated_periods_are_read_as_written(text, start, end):
    period = only(text)
    assert (period.start, period.end) == (start, end)
    assert period.basis == "stated"
    assert period.text in text


def test_a_month_range_with_a_trailing_year_keeps_its_words():
    period = only("reported more than 500 carjackings from January to April of 2022.")
    assert period.text == "from January to April of 2022"
    assert label(period) == "from January to April of 2022"


def test_a_month_day_range_without_a_year_takes_the_publication_year():
    assert spans("from Jan. 1 through July 24, Chicago saw 942") == [(D(2022, 1, 1), D(2022, 7, 24))]


def test_a_month_day_without_year_is_the_latest_such_day_not_after_publication():
    assert spans("on Dec. 25 the store closed") == [(D(2021, 12, 25), D(2021, 12, 25))]
    assert spans("on May 5 the store closed") == [(D(2022, 5, 5), D(2022, 5, 5))]


def test_without_a_reference_date_only_stated_years_are_found():
    assert spans("earlier this year, and on Monday, and in 2021", ref=None) == [
        (D(2021, 1, 1), D(2021, 12, 31))
    ]


def test_periods_come_in_reading_order():
    found = find_periods(
        "Earlier this year, the Sun-Times counted 500 from January to April of 2022.", PUBLISHED
    )
    assert [p.text for p in found] == ["Earlier this year", "from January to April of 2022"]


# ---- relative dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Earlier this year, the Sun-Times reported", D(2022, 1, 1), PUBLISHED),
        ("so far this year", D(2022, 1, 1), PUBLISHED),
        ("last year, the city saw", D(2021, 1, 1), D(2021, 12, 31)),
        ("On Monday, an officer was ambushed", D(2022, 7, 25), D(2022, 7, 25)),
        ("Earlier Thursday, the Sheriff's Office announced", PUBLISHED, PUBLISHED),
        ("last Friday", D(2022, 7, 22), D(2022, 7, 22)),
        ("yesterday", D(2022, 7, 27), D(2022, 7, 27)),
        ("last week", D(2022, 7, 18), D(2022, 7, 24)),
        ("last month", D(2022, 6, 1), D(2022, 6, 30)),
        ("since 2020", D(2020, 1, 1), PUBLISHED),
        ("arrested in March", D(2022, 3, 1), D(2022, 3, 31)),
    ],
)
def test_relative_periods_are_read_against_the_publication_date(text, start, end):
    period = only(text)
    assert (period.start, period.end) == (start, end)
    assert period.basis == "relative"


def test_on_monday_in_the_2021_article_is_the_day_before_its_publication():
    # The Calumet Heights article was published on Tuesday 2021-03-16.
    assert spans("On Monday, an officer who was stopped at a traffic light", D(2021, 3, 16)) == [
        (D(2021, 3, 15), D(2021, 3, 15))
    ]


def test_relative_periods_need_a_reference_date():
    assert find_periods("earlier this year, last week, on Monday", None) == []


# ---- numbers that are not years ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Chicago saw nearly 2,098 incidents of vehicular hijacking.",
        "please contact @Area2Detectives at (312) 747-8271.",
        "call 312-747-2021 with tips",
        "around 6:05 p.m. in the 8800 block of South Constance Avenue.",
        "a budget of 4,512,000 dollars",
        "1,999 cars were stolen",
        "a $2021 fee",
        "unemployment rose 2020%",
        "Just 57 of those cases have resulted in an arrest",
        "it may rain on the march downtown",
    ],
)
def test_counts_phone_numbers_and_block_numbers_are_not_periods(text):
    assert find_periods(text, PUBLISHED) == []


def test_a_block_number_in_the_year_range_is_not_a_year():
    assert find_periods("shot in the 1900 block of West Madison Street", PUBLISHED) == []


def test_a_hyphenated_year_range_covers_both_years():
    assert spans("carjackings rose over the 2019-2021 period") == [(D(2019, 1, 1), D(2021, 12, 31))]


# ---- case ----------------------------------------------------------------------------------


def test_article_text_is_matched_case_sensitively_and_questions_in_any_case():
    assert spans("in january 2022") == [(D(2022, 1, 1), D(2022, 12, 31))]
    assert spans("in january 2022", any_case=True) == [(D(2022, 1, 1), D(2022, 1, 31))]


# ---- tagging an article's sentences -----------------------------------------------------------


def test_a_sentence_without_a_time_inherits_the_previous_sentences_period_in_its_paragraph():
    sentences = [
        "And, according to data analyzed from NBC 5 Investigates, from Jan. 1 through July 24 of "
        "2022, Chicago saw 942 vehicular hijackings, which averages to more than four a day.",
        "Just 57 of those cases have resulted in an arrest, according to city data.",
    ]
    tags = tag_sentences(sentences, [0, 0], PUBLISHED)
    (inherited,) = tags[1]
    assert (inherited.start, inherited.end) == (D(2022, 1, 1), D(2022, 7, 24))
    assert inherited.basis == "context"
    assert inherited.text == tags[0][0].text


def test_context_does_not_cross_a_paragraph_and_falls_back_to_the_publication_date():
    sentences = ["In 2022, Chicago saw 942 carjackings.", "Police made 57 arrests."]
    (fallback,) = tag_sentences(sentences, [0, 1], PUBLISHED)[1]
    assert (fallback.start, fallback.end, fallback.basis) == (PUBLISHED, PUBLISHED, "published")


def test_context_is_carried_along_a_paragraph():
    sentences = ["In 2021, the city saw 2,098.", "That is a record.", "Police blamed the pandemic."]
    tags = tag_sentences(sentences, [0, 0, 0], PUBLISHED)
    assert [t[0].start.year for t in tags] == [2021, 2021, 2021]
    assert [t[0].basis for t in tags] == ["stated", "context", "context"]


def test_a_sentence_with_its_own_period_does_not_inherit():
    tags = tag_sentences(["In 2020, the city saw 1,000.", "It saw 1,400 last year."], [0, 0], PUBLISHED)
    assert tags[1][0].start == D(2021, 1, 1) and tags[1][0].basis == "relative"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Last year, Chicago saw 1,400 carjackings.", D(2021, 1, 1), D(2021, 12, 31)),
        ("This year, the city saw 300.", D(2022, 1, 1), PUBLISHED),
        ("Yesterday, police said.", D(2022, 7, 27), D(2022, 7, 27)),
        ("Today, the mayor said.", PUBLISHED, PUBLISHED),
        ("Last week, police said.", D(2022, 7, 18), D(2022, 7, 24)),
        ("Last month, police said.", D(2022, 6, 1), D(2022, 6, 30)),
        ("In March, police said.", D(2022, 3, 1), D(2022, 3, 31)),
        ("Since 2020, carjackings rose.", D(2020, 1, 1), PUBLISHED),
    ],
)
def test_a_relative_period_opening_a_sentence_is_read(text, start, end):
    assert spans(text) == [(start, end)]


@pytest.mark.parametrize(
    "text",
    [
        "Stay updated on the storm: get USA TODAY's daily briefing in your inbox.",
        "— Dan Glaun, Florida Today",
        "She told the Today show the water was rising.",
    ],
)
def test_today_in_a_name_is_not_the_day(text):
    assert spans(text) == []


def test_today_in_lower_case_or_opening_a_sentence_is_the_day():
    assert spans("Police said today that the road is open.") == [(PUBLISHED, PUBLISHED)]
    assert spans("“Today, we start again,” the mayor said.") == [(PUBLISHED, PUBLISHED)]


def test_without_publication_date_a_timeless_sentence_has_no_period():
    assert tag_sentences(["Police said nothing."], [0], None) == [()]


def test_seed_article_tags_the_figures_with_their_periods(seed_articles):
    from index.text.sentences import split_sentences

    article = next(a for a in seed_articles.values() if "2,098" in a.text)
    spans_ = split_sentences(article.text)
    texts = [article.text[s:e] for s, e in spans_]
    paragraphs = [article.text.count("\n", 0, s) for s, _ in spans_]
    tags = dict(zip(texts, tag_sentences(texts, paragraphs, article.published), strict=True))

    def years(sentence_start: str) -> set[tuple[dt.date, dt.date]]:
        (text,) = [t for t in texts if t.startswith(sentence_start)]
        return {(p.start, p.end) for p in tags[text]}

    assert years("In 2021 alone") == {(D(2021, 1, 1), D(2021, 12, 31))}
    assert (D(2022, 1, 1), D(2022, 4, 30)) in years("Earlier this year")
    assert years("And, according to data") == {(D(2022, 1, 1), D(2022, 7, 24))}
    # Each line of this article is its own paragraph, but "Just 57 of those cases" points back
    # to the sentence before it and speaks about its period.
    assert years("Just 57") == {(D(2022, 1, 1), D(2022, 7, 24))}


# ---- labels --------------------------------------------------------------------------------


def test_most_specific_prefers_stated_narrow_periods():
    year = Period(start=D(2022, 1, 1), end=D(2022, 12, 31), text="2022", basis="stated")
    months = Period(start=D(2022, 1, 1), end=D(2022, 4, 30), text="January to April", basis="stated")
    published = Period(start=PUBLISHED, end=PUBLISHED, basis="published")
    assert most_specific([year, months, published]) == months
    assert most_specific([published, year]) == year
    assert most_specific([]) is None


def test_label_uses_the_words_else_the_dates():
    assert label(Period(start=D(2021, 1, 1), end=D(2021, 12, 31), text="in 2021")) == "in 2021"
    assert label(Period(start=PUBLISHED, end=PUBLISHED)) == "2022-07-28"
    assert label(Period(start=D(2022, 1, 1), end=D(2022, 4, 30))) == "2022-01-01 to 2022-04-30"


def test_a_sentence_pointing_back_inherits_across_a_paragraph_break():
    sentences = ["In 2022, Chicago saw 942 carjackings.", "Just 57 of those cases led to an arrest."]
    (inherited,) = tag_sentences(sentences, [0, 1], PUBLISHED)[1]
    assert (inherited.start.year, inherited.basis) == (2022, "context")


def test_through_a_day_means_the_year_up_to_that_day():
    assert spans("count through July 24, 2022") == [(D(2022, 1, 1), D(2022, 7, 24))]
