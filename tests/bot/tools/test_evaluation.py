"""`newsbot eval`: grading rules, the baseline's threshold, and the two systems side by side."""

from __future__ import annotations

import json

import pytest

from bot.tools.evaluation.baseline import CHUNK_CHARS, NaiveBaseline, best_threshold, fixed_pieces
from bot.tools.evaluation.gold import GoldQuestion, load_gold, load_rtqa, load_squad
from bot.tools.evaluation.grading import Tally, grade, holds
from bot.tools.evaluation.run import evaluate
from index.ingest.corpus import read_corpus
from index.models import AbstainReason, Answer, AnswerLine, Citation, Source
from tests.fixtures.paths import GOLD_QUESTIONS

SENTENCE = "In 2021 alone, Chicago saw nearly 2,098 carjackings."
SOURCE = Source(article_id="a", title="t", url="u", outlet=None, published=None)


def _answer(sentence: str = SENTENCE, *, stated: bool = True, abstained: bool = False) -> Answer:
    if abstained:
        return Answer(question="q", abstained=True, abstain_reason=AbstainReason.NO_ANSWER)
    citation = Citation(
        n=1,
        source=SOURCE,
        sentence=sentence,
        start=0,
        end=len(sentence),
        score=1.0,
        answer_span=(sentence.index("nearly"), sentence.index(" carjackings"))
        if "nearly" in sentence
        else None,
    )
    lines = [AnswerLine(citation=1)] if stated else []
    return Answer(question="q", abstained=False, lines=lines, citations=[citation])


def test_an_answer_is_right_when_every_expected_figure_is_in_it_and_the_source_is_cited():
    gold = GoldQuestion(question="q", answerable=True, answers=["2,098"], sources=[SENTENCE])
    tally = Tally()
    grade(gold, _answer(), tally)
    assert (tally.answered_right, tally.cited_right) == (1, 1)


def test_a_citation_no_line_of_the_answer_states_does_not_count():
    gold = GoldQuestion(question="q", answerable=True, answers=["2,098"], sources=[SENTENCE])
    tally = Tally()
    grade(gold, _answer(stated=False), tally)  # listed for "More sources", not stated
    assert (tally.answered_right, tally.cited_right) == (0, 0)


def test_a_figure_from_another_sentence_is_a_wrong_answer():
    gold = GoldQuestion(question="q", answerable=True, answers=["2,098"], sources=[SENTENCE])
    tally = Tally()
    grade(gold, _answer("In 2022, Chicago saw 942 carjackings."), tally)
    assert (tally.answered_right, tally.cited_right) == (0, 0) and tally.failures


def test_answering_an_unanswerable_question_is_a_failure_and_abstaining_is_right():
    gold = GoldQuestion(question="how many in 2019?", answerable=False)
    answered, abstained = Tally(), Tally()
    grade(gold, _answer(), answered)
    grade(gold, _answer(abstained=True), abstained)
    assert answered.row("x")["abstention_accuracy"] == 0.0
    assert abstained.row("x")["abstention_accuracy"] == 100.0
    assert answered.failures and not abstained.failures


def test_the_baseline_threshold_separates_answerable_from_unanswerable_scores():
    scores = [(0.9, True), (0.8, True), (0.5, False), (0.4, False), (0.7, True)]
    threshold = best_threshold(scores)
    assert all((s >= threshold) == ok for s, ok in scores)


def test_squad_paragraphs_become_articles_and_questions_keep_any_of_their_answers(tmp_path):
    data = {
        "data": [
            {
                "title": "Normans",
                "paragraphs": [
                    {
                        "context": "Normandy is in France.",
                        "qas": [
                            {
                                "question": "Where is Normandy?",
                                "answers": [{"text": "France"}, {"text": "in France"}],
                                "is_impossible": False,
                            },
                            {"question": "Where is Paris?", "answers": [], "is_impossible": True},
                        ],
                    }
                ],
            }
        ]
    }
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data))
    articles, questions = load_squad(path)
    assert articles == [
        {"title": "Normans (1)", "url": "squad://Normans/0", "text": "Normandy is in France."}
    ]
    assert [q.answerable for q in questions] == [True, False]
    assert questions[0].answers == ["France", "in France"] and questions[0].any_answer


def test_quiz_answers_match_whatever_quotes_and_case_the_sentence_uses():
    assert holds("“Arthur”", 'The animated series "Arthur" ended after 25 seasons.')
    assert holds("Bad Bunny", "Puerto Rican superstar BAD  BUNNY notched another record.")
    assert not holds("Arthur", "The series ended.") and not holds("", "anything")


def test_an_answer_matches_a_sentence_that_writes_its_accents_as_combining_marks():
    assert holds("Emilia Pérez", "The film Emilia Pe\u0301rez led the nominations.")
    assert holds("Emilia Pe\u0301rez", "The film Emilia Pérez led the nominations.")


def test_the_first_citation_and_the_first_three_are_counted_apart():
    gold = GoldQuestion(question="q", answerable=True, answers=["2,098"], any_answer=True)
    other = "Police made 57 arrests."
    cited = [
        Citation(n=n, source=SOURCE, sentence=text, start=0, end=len(text), score=1.0)
        for n, text in enumerate([other, other, SENTENCE, SENTENCE], start=1)
    ]
    tally = Tally()
    grade(gold, Answer(question="q", abstained=False, lines=[AnswerLine(citation=1)], citations=cited), tally)
    row = tally.row("x")
    assert (row["first_citation"], row["first_three"], row["wrong_answers"]) == (0.0, 100.0, 100.0)


def test_rtqa_questions_are_answerable_and_asked_as_of_their_quiz_date(tmp_path):
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "rtqa.jsonl").write_text('{"text": "x", "url": "https://e.example/1"}\n')
    question = {"id": "1", "question": "Who won this week?", "as_of": "2023-07-21", "answers": ["A"]}
    (tmp_path / "questions.jsonl").write_text(json.dumps(question | {"source": "CNN"}) + "\n")
    archive, [question] = load_rtqa(tmp_path)
    assert archive == [tmp_path / "archive" / "rtqa.jsonl"]
    assert question.answerable and question.any_answer and str(question.as_of) == "2023-07-21"


def test_the_naive_baseline_cuts_every_thousand_characters_whatever_the_sentences(seed_articles):
    article = max(seed_articles.values(), key=lambda a: len(a.text))
    pieces = fixed_pieces(article)
    assert len(article.text) > 2 * CHUNK_CHARS
    assert [(p.start, p.end) for p in pieces] == [
        (i, min(i + CHUNK_CHARS, len(article.text))) for i in range(0, len(article.text), CHUNK_CHARS)
    ]


@pytest.mark.slow
def test_the_engine_beats_the_naive_baseline_on_the_gold_set(seed_engine, seed_articles):
    baseline = NaiveBaseline(seed_engine.encoder, seed_articles.values())
    ours, baseline_row = evaluate(seed_engine, baseline, load_gold(GOLD_QUESTIONS))[0]
    baseline = baseline_row
    assert ours["overall"] > baseline["overall"]
    assert ours["answer_accuracy"] > baseline["answer_accuracy"]


@pytest.fixture
def newsroom_baseline(newsroom_corpus, encoder):
    return NaiveBaseline(encoder, read_corpus(newsroom_corpus).articles)


def test_the_naive_baseline_quotes_the_top_pieces_most_similar_sentence(
    newsroom_baseline, newsroom_corpus, encoder
):
    citation = newsroom_baseline.pick(encoder.encode(["Lifeguards returned to lakefront beaches"])[0])
    assert citation is not None
    assert (
        citation.sentence == "Lifeguards returned to 23 lakefront beaches on Monday, the park district said."
    )
    text = (newsroom_corpus / "beaches.txt").read_text()
    assert text[citation.start : citation.end] == citation.sentence
    assert 0 < citation.score <= 1


def test_the_naive_baseline_never_cites_an_internal_article(newsroom_baseline, encoder):
    citation = newsroom_baseline.pick(encoder.encode(["zeppelin desk budget hangar"])[0])
    assert citation is not None and citation.source.outlet != "Newsroom memo"


def test_the_naive_baseline_finds_nothing_in_an_empty_archive(encoder):
    assert NaiveBaseline(encoder, []).pick(encoder.encode(["carjackings"])[0]) is None
