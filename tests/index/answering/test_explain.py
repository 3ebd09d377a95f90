"""An answer that explains itself: how the question was read, each of the best candidates with
its scores and what became of it (chosen, ruled out, below the threshold, not read)."""

from __future__ import annotations

import datetime as dt

import pytest

from index.models import AnswerKind, Verdict

VERBATIM = "Lifeguards returned to 23 lakefront beaches on Monday, the park district said."


@pytest.fixture
def engine(open_engine, newsroom_corpus):
    engine = open_engine()
    engine.ingest([newsroom_corpus])
    return engine


def test_without_explain_an_answer_carries_no_explanation(engine):
    assert engine.ask(VERBATIM).explanation is None


def test_the_explanation_says_how_the_question_was_read(engine):
    why = engine.ask("how many carjackings in Chicago last year?", as_of=dt.date(2022, 3, 1), explain=True)
    assert why.explanation is not None
    reading = why.explanation.reading
    assert reading.kind is AnswerKind.HOW_MANY and reading.counted == "carjackings"
    assert (reading.period, reading.period_from, reading.period_to) == (
        "last year",
        dt.date(2021, 1, 1),
        dt.date(2021, 12, 31),
    )
    assert reading.as_of == dt.date(2022, 3, 1) and "Chicago" in reading.names


def test_a_follow_up_is_explained_as_read_with_its_previous_question(engine):
    why = engine.ask("and in 2019?", previous="how many carjackings in 2021?", explain=True).explanation
    assert why is not None and "carjackings" in why.reading.read_as and why.reading.period == "2019"


def test_the_chosen_sentence_is_marked_chosen_and_the_others_say_why_not(engine):
    answer = engine.ask(VERBATIM, explain=True)
    assert answer.explanation is not None
    first, *others = answer.explanation.candidates
    assert (first.sentence, first.verdict) == (VERBATIM, Verdict.CHOSEN)
    assert first.probability == pytest.approx(answer.confidence, abs=1e-3)
    assert others and all(c.verdict is not Verdict.CHOSEN and c.reason for c in others)
    assert len(answer.explanation.candidates) <= engine.params.answer.explained


def test_a_figure_for_another_period_is_ruled_out_as_such(engine):
    answer = engine.ask("how many carjackings in 2019?", explain=True)
    assert answer.abstained and answer.explanation is not None
    [record] = [c for c in answer.explanation.candidates if "2,098" in c.sentence]
    assert record.verdict is Verdict.RULED_OUT and record.reason == "it states another period than 2019"
