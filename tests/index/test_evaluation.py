"""`newsbot eval`: grading rules, the baseline's threshold, and the two systems side by side."""

from __future__ import annotations

import json

import pytest

from index.evaluation import GoldQuestion, Tally, best_threshold, evaluate, grade, load_squad
from index.models import Answer, Citation

SENTENCE = "In 2021 alone, Chicago saw nearly 2,098 carjackings."


def _answer(text: str, sentence: str = SENTENCE, abstained: bool = False) -> Answer:
    citation = Citation(
        n=1, article_id="a", title="t", url="u", outlet=None, published=None, sentence=sentence,
        start=0, end=len(sentence), score=1.0,
    )
    return Answer(question="q", answer=text, abstained=abstained, citations=[] if abstained else [citation])


def test_an_answer_is_right_when_every_expected_figure_is_in_it_and_the_source_is_cited():
    gold = GoldQuestion(question="q", answerable=True, answers=["2,098"], sources=[SENTENCE])
    tally = Tally()
    grade(gold, _answer(f"{SENTENCE.replace('2,098', '**2,098**')} [1]"), tally)
    assert (tally.answered_right, tally.cited_right) == (1, 1)


def test_a_citation_the_answer_does_not_refer_to_does_not_count():
    gold = GoldQuestion(question="q", answerable=True, answers=["2,098"], sources=[SENTENCE])
    tally = Tally()
    grade(gold, _answer("nearly 2,098"), tally)  # no [1] in the text
    assert (tally.answered_right, tally.cited_right) == (1, 0)


def test_answering_an_unanswerable_question_is_a_failure_and_abstaining_is_right():
    gold = GoldQuestion(question="how many in 2019?", answerable=False)
    answered, abstained = Tally(), Tally()
    grade(gold, _answer(f"{SENTENCE} [1]"), answered)
    grade(gold, _answer("Not in the archive.", abstained=True), abstained)
    assert answered.row("x")["abstention_accuracy"] == 0.0
    assert abstained.row("x")["abstention_accuracy"] == 100.0
    assert answered.failures and not abstained.failures


def test_the_baseline_threshold_separates_answerable_from_unanswerable_scores():
    scores = [(0.9, True), (0.8, True), (0.5, False), (0.4, False), (0.7, True)]
    threshold = best_threshold(scores)
    assert all((s >= threshold) == ok for s, ok in scores)


def test_squad_paragraphs_become_articles_and_questions_keep_any_of_their_answers(tmp_path):
    data = {"data": [{"title": "Normans", "paragraphs": [{"context": "Normandy is in France.", "qas": [
        {"question": "Where is Normandy?", "answers": [{"text": "France"}, {"text": "in France"}],
         "is_impossible": False},
        {"question": "Where is Paris?", "answers": [], "is_impossible": True},
    ]}]}]}
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data))
    articles, questions = load_squad(path)
    assert articles == [{"title": "Normans (1)", "url": "squad://Normans/0", "text": "Normandy is in France."}]
    assert [q.answerable for q in questions] == [True, False]
    assert questions[0].answers == ["France", "in France"] and questions[0].any_answer


@pytest.mark.slow
def test_the_engine_beats_the_dense_only_baseline_on_the_gold_set(seed_engine, real_encoder):
    from pathlib import Path

    from index.evaluation import load_gold

    gold = load_gold(Path(__file__).resolve().parents[1] / "gold" / "questions.jsonl")
    ours, baseline = evaluate(seed_engine, real_encoder, gold)[0]
    assert ours["overall"] > baseline["overall"]
    assert ours["answer_accuracy"] > baseline["answer_accuracy"]
