"""End to end with the real all-MiniLM-L6-v2 on the shipped corpus (one ingested index per session).

Questions are asked on 2022-08-01, after both seed articles were published.
"""

from __future__ import annotations

import re

import pytest

from bot.cli.render import answer_text
from index.text.boilerplate import is_boilerplate_line

pytestmark = pytest.mark.slow

SEED_2021 = (
    "In 2021 alone, the Cook County Sheriff's Office confirms that Chicago saw nearly 2,098 "
    "incidents of vehicular hijacking."
)
SEED_500 = (
    "Earlier this year, The Chicago-Sun Times reported more than 500 carjackings had already been "
    "logged from January to April of 2022."
)
SEED_942 = (
    "And, according to data analyzed from NBC 5 Investigates, from Jan. 1 through July 24 of 2022, "
    "Chicago saw 942 vehicular hijackings, which averages to more than four a day."
)
HOSPITAL = (
    '"He remained stable throughout the entire case, and he\'s currently doing well," said Dr. '
    "Susan Rowell, a trauma surgeon at University of Chicago Medical Center, where the officer was "
    "treated."
)


def assert_verifiable(answer, seed_articles) -> None:
    """Every citation quotes its article at its offsets, and every number is in a cited sentence."""
    for c in answer.quoted:
        article = seed_articles[c.source.article_id]
        assert c.sentence == article.text[c.start : c.end]
        assert (
            c.source.title == article.title
            and c.source.outlet == article.outlet
            and c.source.published == article.published
        )
    for r in answer.related:
        assert r.sentence == seed_articles[r.source.article_id].text[r.start : r.end]
    if not answer.abstained:
        cited = " ".join(c.sentence for c in answer.quoted)
        for number in re.findall(r"\d[\d,.:]*\d|\d", re.sub(r"\[\d+\]", "", answer_text(answer))):
            assert number in cited, (number, answer_text(answer))


def test_how_many_carjackings_in_2021_is_answered_with_the_2021_sentence(seed_engine, seed_articles):
    answer = seed_engine.ask("how many carjackings in 2021?")
    assert not answer.abstained
    assert "2,098" in answer_text(answer)
    first = answer.citations[0]
    assert first.sentence == SEED_2021
    assert seed_articles[first.source.article_id].text[first.start : first.end] == SEED_2021
    assert first.period == "2021"
    assert "942" not in answer_text(answer) and "500" not in answer_text(answer)
    assert_verifiable(answer, seed_articles)


def test_a_paraphrase_of_carjacking_finds_the_same_figure(seed_engine, seed_articles):
    answer = seed_engine.ask("how many vehicular hijackings in 2021?")
    assert not answer.abstained
    assert "2,098" in answer_text(answer)
    assert answer.citations[0].sentence == SEED_2021
    assert_verifiable(answer, seed_articles)


def test_last_year_is_read_against_today(seed_engine, seed_articles):
    answer = seed_engine.ask("how many carjackings in Chicago last year?")
    assert not answer.abstained and answer.citations[0].sentence == SEED_2021


def test_a_year_the_archive_does_not_cover_abstains_with_related_passages(seed_engine, seed_articles):
    answer = seed_engine.ask("how many carjackings happened in Chicago in 2019?")
    assert answer.abstained
    assert answer.citations == []
    assert answer.related
    assert "2019" in answer_text(answer)
    assert not re.search(r"2,098|942|500", answer_text(answer))
    assert_verifiable(answer, seed_articles)


def test_which_hospital_cites_the_university_of_chicago_medical_center_sentence(seed_engine, seed_articles):
    answer = seed_engine.ask("Which hospital treated the officer?")
    assert not answer.abstained
    assert answer.citations[0].sentence == HOSPITAL
    assert "**University of Chicago Medical Center**" in answer_text(answer)
    assert_verifiable(answer, seed_articles)


def test_a_followup_takes_the_new_period_and_keeps_the_topic(seed_engine, seed_articles):
    answer = seed_engine.ask("and in 2022?", previous="how many carjackings in 2021?")
    assert not answer.abstained
    assert answer.period == "2022"
    assert "2,098" not in answer_text(answer)
    assert {c.sentence for c in answer.quoted} & {SEED_500, SEED_942}
    assert_verifiable(answer, seed_articles)


def test_boilerplate_is_never_cited(seed_engine, seed_articles):
    questions = [
        "WATCH: Shocking Video Shows Carjacking in Broad Daylight on Dan Ryan Expressway",
        "Sign up for the weekly Chicago Catch-Up newsletter",
        "who took the photo, Ashlee Rezin Garcia?",
        "what did Chicago Police tweet on March 16, 2021?",
    ]
    for question in questions:
        answer = seed_engine.ask(question)
        texts = [c.sentence for c in answer.quoted] + [r.sentence for r in answer.related]
        assert not [t for t in texts if is_boilerplate_line(t)], question
        assert not [t for t in texts if "WATCH:" in t or "newsletter" in t or "pic.twitter.com" in t]


def test_search_finds_both_seed_articles(seed_engine):
    hits = seed_engine.search("off-duty Chicago officer Calumet Heights")
    assert len(hits) == 2
    assert all("Calumet Heights" in h.source.title or "carjack" in h.source.title for h in hits)


def test_both_2022_figures_are_listed_with_their_periods(seed_engine, seed_articles):
    answer = seed_engine.ask("how many carjackings in 2022?")
    assert not answer.abstained
    assert "500" in answer_text(answer) and "942" in answer_text(answer)
    assert "from January to April of 2022" in answer_text(answer)
    assert "from Jan. 1 through July 24 of 2022" in answer_text(answer)
    assert {SEED_500, SEED_942} <= {c.sentence for c in answer.quoted}
    assert "2,098" not in answer_text(answer)
    assert_verifiable(answer, seed_articles)


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("how many carjacking cases resulted in an arrest?", "57"),
        ("How old was the officer?", "32-year-old"),
    ],
)
def test_a_figure_opening_its_sentence_answers_how_many(seed_engine, seed_articles, question, figure):
    answer = seed_engine.ask(question)
    assert not answer.abstained
    assert figure in answer_text(answer)
    assert figure in answer.citations[0].sentence


@pytest.mark.xfail(
    strict=True,
    reason="a known miss: worded with none of its sentence's words ('Officials say the incident took "
    "place around 6:05 p.m. ...'), the sentence is not among the 8 the cross-encoder reads, and "
    "none of those gives a clock time (the best of them has probability 0.085 under the "
    "threshold 0.1999; the development data hold 56 clock-time candidates, too few for the model "
    "to weigh a clock time as the rarer answer it is)",
)
def test_what_time_is_answered_with_the_clock_time(seed_engine, seed_articles):
    answer = seed_engine.ask("What time did the carjacking attempt happen?")
    assert not answer.abstained
    assert "**6:05 p.m.**" in answer_text(answer)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many carjackings happened in Chicago in December 2021?", None),
        ("auto hijackings in Chicago between January and April 2022", "500"),
    ],
)
def test_a_figure_for_a_longer_period_is_not_the_answer_for_part_of_it(seed_engine, question, expected):
    answer = seed_engine.ask(question)
    if expected is None:
        assert answer.abstained
    else:
        assert expected in answer_text(answer) and "942" not in answer_text(answer)


@pytest.mark.parametrize(
    "question",
    [
        "How many homicides did Chicago record in 2021?",
        pytest.param(
            "How many carjackings were reported in New York City in 2021?",
            marks=pytest.mark.xfail(
                strict=True,
                reason="a known miss: the calibration gives 'names_missing' no weight (on SQuAD and "
                "RealTimeQA a sentence lacking a name the question gives answers as often as one "
                "that has it: the name sits in a neighbouring sentence), so Chicago's figure answers "
                "a question about New York City",
            ),
        ),
    ],
)
def test_a_question_about_another_crime_or_city_abstains(seed_engine, question):
    answer = seed_engine.ask(question)
    assert answer.abstained
    assert "2,098" not in answer_text(answer)


@pytest.mark.parametrize(
    "question",
    [
        "what is the meaning of life?",
        "'; DROP TABLE articles; --",
        "what is the capital of the moon?",
        "asdf qwer zxcv?",
    ],
)
def test_a_nonsense_question_is_not_answered(seed_engine, question):
    answer = seed_engine.ask(question)
    assert answer.abstained and answer.citations == [], answer_text(answer)
