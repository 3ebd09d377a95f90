"""What a question asks for: its kind, its period, its terms; follow-ups read in context."""

from __future__ import annotations

import datetime as dt

import pytest

from index.answering.question import (
    MAX_QUESTION_CHARS,
    analyse,
    analyse_in_context,
    answer_kind,
    is_follow_up,
    validate_question,
)
from index.errors import BadQuestionError, UserError
from tests.fixtures.paths import SEED_TODAY

TODAY = SEED_TODAY
D = dt.date


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how many carjackings in 2021?", "how_many"),
        ("How many vehicular hijackings did Chicago have in 2022?", "how_many"),
        ("How old was the officer?", "how_many"),
        ("how much did the sticker program cost?", "how_many"),
        ("what was the number of arrests?", "how_many"),
        ("what is the city's unemployment rate?", "how_many"),
        ("What percentage of voters turned out?", "how_many"),
        ("carjackings total in 2021?", "how_many"),
        # A counting word that is not what the question asks for.
        ("Which historical figure were the records about?", "what"),
        ("When is the next total solar eclipse?", "when"),
        ("What was the name of the count of the province?", "who"),
        ("When the river floods, which road is closed first?", "what"),
        ("When was the officer shot?", "when"),
        ("What time did the shooting happen?", "time"),
        ("which day was the sergeant wounded?", "when"),
        ("Where did the shooting happen?", "where"),
        ("Which hospital treated the officer?", "where"),
        ("in what neighborhood was the officer ambushed?", "where"),
        ("Who is the trauma surgeon?", "who"),
        ("which agency announced the initiative?", "who"),
        ("What is the name of the superintendent?", "who"),
        ("what did the mayor say?", "what"),
        ("tell me about the sticker program", "what"),
    ],
)
def test_question_kinds(question, kind):
    assert answer_kind(question) == kind
    assert analyse(question, TODAY).kind == kind


@pytest.mark.parametrize(
    ("question", "start", "end", "words"),
    [
        ("how many carjackings in 2021?", D(2021, 1, 1), D(2021, 12, 31), "2021"),
        (
            "carjackings from January to April of 2022",
            D(2022, 1, 1),
            D(2022, 4, 30),
            "from January to April of 2022",
        ),
        ("how many carjackings in january 2022?", D(2022, 1, 1), D(2022, 1, 31), "january 2022"),
        ("how many carjackings earlier this year?", D(2022, 1, 1), TODAY, "earlier this year"),
        ("how many carjackings last year?", D(2021, 1, 1), D(2021, 12, 31), "last year"),
        ("carjackings in 2021 and 2022", D(2021, 1, 1), D(2022, 12, 31), "2021 and 2022"),
    ],
)
def test_the_period_asked_about(question, start, end, words):
    period = analyse(question, TODAY).period
    assert period is not None
    assert (period.start, period.end) == (start, end)
    assert period.text == words


def test_a_question_without_a_time_asks_about_no_period():
    assert analyse("Which hospital treated the officer?", TODAY).period is None


def test_a_bare_weekday_in_a_question_names_the_event_day_not_a_constraint():
    analysis = analyse("who was shot on Sunday?", TODAY)
    assert analysis.period is None
    assert "sunday" in analysis.terms


def test_terms_are_stemmed_content_words_without_the_period_words():
    analysis = analyse("how many carjackings happened in Chicago in 2021?", TODAY)
    assert analysis.terms == ["carjack", "chicago"]


def test_a_followup_with_a_new_period_keeps_the_topic_and_takes_the_new_period():
    analysis = analyse_in_context("and in 2022?", "how many carjackings in 2021?", TODAY)
    assert analysis.kind == "how_many"
    assert (analysis.period.start, analysis.period.end) == (D(2022, 1, 1), D(2022, 12, 31))
    assert "carjack" in analysis.terms
    assert "carjackings" in analysis.text and "2022" in analysis.text
    assert "2021" not in analysis.text, "the old period must not pull the search back to 2021"


def test_a_followup_on_another_topic_keeps_the_previous_period():
    analysis = analyse_in_context("what about arrests?", "how many carjackings in 2021?", TODAY)
    assert analysis.kind == "how_many"
    assert (analysis.period.start, analysis.period.end) == (D(2021, 1, 1), D(2021, 12, 31))
    assert analysis.terms[0] == "arrest"
    assert "carjack" in analysis.terms


def test_a_bare_noun_is_read_as_a_followup():
    analysis = analyse_in_context("arrests?", "how many carjackings in 2021?", TODAY)
    assert analysis.period.start == D(2021, 1, 1)
    assert analysis.kind == "how_many"


def test_a_followup_with_its_own_kind_keeps_that_kind():
    analysis = analyse_in_context("and where?", "how many carjackings in 2021?", TODAY)
    assert analysis.kind == "where"


def test_a_full_question_is_not_merged_with_the_previous_one():
    previous = "how many carjackings in 2021?"
    question = "Which hospital treated the officer?"
    assert analyse_in_context(question, previous, TODAY) == analyse(question, TODAY)
    assert not is_follow_up(question, analyse(question, TODAY))


@pytest.mark.parametrize("previous", [None, "", "   "])
def test_a_followup_without_a_usable_previous_question_stands_alone(previous):
    analysis = analyse_in_context("and in 2022?", previous, TODAY)
    assert analysis == analyse("and in 2022?", TODAY)


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_is_refused_with_a_message(question):
    with pytest.raises(BadQuestionError, match="empty"):
        analyse(question, TODAY)


def test_a_5000_character_question_is_refused_with_its_length_and_the_limit():
    with pytest.raises(BadQuestionError) as caught:
        analyse("why " * 1250, TODAY)
    message = str(caught.value)
    assert "4,999" in message and f"the most is {MAX_QUESTION_CHARS}" in message
    assert "under" not in message, f"{MAX_QUESTION_CHARS} characters are allowed, not only fewer"
    assert isinstance(caught.value, UserError)


def test_a_question_of_only_punctuation_is_refused():
    with pytest.raises(BadQuestionError, match="no words"):
        validate_question("?!?")


def test_validation_collapses_whitespace():
    assert validate_question("  how many\n carjackings   in 2021? ") == "how many carjackings in 2021?"
    assert len(validate_question("x" * MAX_QUESTION_CHARS)) == MAX_QUESTION_CHARS


@pytest.mark.parametrize(
    ("question", "counted"),
    [
        ("How many homicides did Chicago record in 2021?", "homicides"),
        ("how many of the 2021 carjackings were solved?", "carjackings"),
        ("How old was the officer?", "years old"),
        ("What is the number of shots fired?", "shots fired"),
        ("Who is the superintendent?", None),
    ],
)
def test_a_count_question_names_what_it_counts(question, counted):
    assert analyse(question, TODAY).counted == counted


def test_names_in_a_question_are_found_past_its_first_word():
    assert analyse("How many carjackings did New York City see in March 2021?", TODAY).names == [
        "New York City"
    ]
