"""The engine's entry point: ask (with follow-ups and audiences), search, articles, stats."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from index.errors import BadQuestionError
from index.models import AbstainReason, AnswerKind
from index.params import AnswerParams, EngineParams

LENIENT = EngineParams(answer=AnswerParams(threshold=0.15))  # the hashing encoder's similarities are low


@pytest.fixture
def engine(open_engine, newsroom_corpus):
    engine = open_engine(params=LENIENT)
    engine.ingest([newsroom_corpus])
    return engine


def test_ask_answers_a_figure_question_with_a_cited_verbatim_sentence(engine):
    answer = engine.ask("how many carjackings in Chicago in 2021?")
    assert not answer.abstained
    assert answer.kind is AnswerKind.HOW_MANY and answer.period == "2021"
    first = answer.citations[0]
    assert (
        first.sentence
        == "In 2021, Chicago saw nearly 2,098 carjackings, according to the Cook County Sheriff's Office."
    )
    assert (first.source.title, first.source.outlet, first.source.url) == (
        "Chicago carjackings reached a record in 2021",
        "Example Tribune",
        "https://news.example/2022/01/carjackings-2021",
    )
    assert str(first.source.published) == "2022-01-05"
    assert answer.stated == [first] and first.answer_text == "nearly 2,098"


def test_ask_abstains_for_a_period_the_archive_does_not_cover(engine):
    answer = engine.ask("how many carjackings in Chicago in 2019?")
    assert answer.abstained and answer.abstain_reason is AbstainReason.NO_ANSWER
    assert answer.citations == [] and answer.lines == [] and answer.period == "2019"
    assert answer.related, "the closest passages are shown as related"


def test_a_followup_is_read_against_the_previous_question(engine):
    alone = engine.ask("and in 2019?")
    followup = engine.ask("and in 2019?", previous="how many carjackings in Chicago in 2021?")
    assert followup.kind is AnswerKind.HOW_MANY and followup.period == "2019"
    assert followup.abstained
    assert alone.kind is AnswerKind.WHAT


def test_internal_articles_are_cited_only_for_an_internal_audience(engine):
    question = "what is the zeppelin desk budget?"
    public = engine.ask(question)
    internal = engine.ask(question, include_internal=True)
    assert all(c.source.outlet != "Newsroom memo" for c in public.citations)
    assert all(r.source.outlet != "Newsroom memo" for r in public.related)
    assert internal.citations[0].source.outlet == "Newsroom memo"


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000])
def test_a_bad_question_raises_bad_question_error(engine, question):
    with pytest.raises(BadQuestionError):
        engine.ask(question)
    with pytest.raises(BadQuestionError):
        engine.search(question)


def test_search_returns_one_hit_per_article_best_first(engine):
    hits = engine.search("lifeguards lakefront beaches park district")
    assert hits[0].source.title == "Lake Michigan beaches reopen"
    assert "Lifeguards returned" in hits[0].snippet
    assert len({h.source.article_id for h in hits}) == len(hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(engine.search("beaches", limit=1)) == 1


def test_search_hides_internal_articles_unless_asked(engine):
    assert "https://intranet.example/memos/zeppelin" not in {
        h.source.article_id for h in engine.search("zeppelin budget")
    }
    assert "https://intranet.example/memos/zeppelin" in {
        h.source.article_id for h in engine.search("zeppelin budget", include_internal=True)
    }


def test_article_metadata_by_id_and_by_title(engine):
    info = engine.article("https://news.example/2022/01/carjackings-2021")
    assert info.title == "Chicago carjackings reached a record in 2021"
    assert info.sentences >= 2 and info.chunks >= 1
    assert engine.article("https://news.example/nope") is None
    assert [a.title for a in engine.find_articles("carjackings")] == [
        "Chicago carjackings reached a record in 2021"
    ]
    assert engine.find_articles("zeppelin") == []
    assert [a.title for a in engine.find_articles("zeppelin", include_internal=True)] == [
        "Desk memo: zeppelin budget"
    ]
    assert engine.find_articles("100%_") == [], "LIKE wildcards are matched literally"


def test_stats_count_the_index(engine, index_dir):
    stats = engine.stats()
    assert (stats.articles, stats.internal, stats.retracted) == (3, 1, 0)
    assert stats.vectors == stats.chunks > 0
    assert stats.sentences >= stats.chunks
    assert (stats.model, stats.dimension) == ("hashing-test-encoder", 384)
    assert stats.last_ingest is not None
    assert stats.index_dir == str(index_dir)


def test_feedback_is_counted(engine):
    engine.record_feedback(helpful=True, user_hash="u1", question="q")
    engine.record_feedback(helpful=True, user_hash="u2", question=None)
    engine.record_feedback(helpful=False, user_hash="u1", question="q")
    stats = engine.stats()
    assert (stats.feedback_helpful, stats.feedback_unhelpful) == (2, 1)


def test_an_empty_index_abstains_and_finds_nothing(open_engine):
    engine = open_engine()
    answer = engine.ask("how many carjackings in 2021?")
    assert answer.abstained and answer.related == []
    assert engine.search("carjackings") == []


def test_concurrent_questions_get_the_same_answers_as_sequential_ones(engine):
    questions = [
        "how many carjackings in Chicago in 2021?",
        "what is the sticker program?",
        "lifeguards?",
    ] * 4
    expected = {q: engine.ask(q).model_dump() for q in set(questions)}
    results: dict[int, dict] = {}

    def ask(n: int, q: str) -> None:
        results[n] = engine.ask(q).model_dump()

    threads = [threading.Thread(target=ask, args=(n, q)) for n, q in enumerate(questions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[n] == expected[q] for n, q in enumerate(questions))


def test_a_sentence_opening_with_last_year_answers_for_the_year_before_publication(
    open_engine, write_article, corpus_dir
):
    write_article(
        "last-year.md",
        "Last year, Chicago saw 1,400 carjackings, police said.\n",
        title="Carjackings",
        published="2022-07-28",
        outlet="Example",
    )
    engine = open_engine(params=LENIENT)
    engine.ingest([corpus_dir])
    for_2021 = engine.ask("how many carjackings in 2021?")
    for_2022 = engine.ask("how many carjackings in 2022?")
    assert not for_2021.abstained and for_2021.stated[0].answer_text == "1,400"
    assert for_2022.abstained


def test_relative_periods_in_a_question_are_read_as_of_the_given_day(open_engine, write_article, corpus_dir):
    write_article(
        "2021.md",
        "In 2021, Chicago saw nearly 2,098 carjackings, police said.\n",
        title="Carjackings in 2021",
        published="2022-01-05",
        outlet="Example",
    )
    engine = open_engine(params=LENIENT)
    engine.ingest([corpus_dir])
    as_of_2022 = engine.ask("how many carjackings last year?", as_of=dt.date(2022, 3, 1))
    as_of_2024 = engine.ask("how many carjackings last year?", as_of=dt.date(2024, 3, 1))
    assert as_of_2022.period == "last year" and not as_of_2022.abstained
    assert as_of_2022.stated[0].answer_text == "nearly 2,098"
    assert as_of_2024.abstained, "last year is 2023 as of 2024: the 2021 figure does not answer"
