"""The engine's entry point: ask (with follow-ups and audiences), search, articles, stats, and
rebuilds (uploads and feedback kept, open engines moving to the new archive, the disk's room)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from index.engine import Engine
from index.errors import BadQuestionError, DiskFullError
from index.models import AbstainReason, AnswerKind
from index.params import EngineParams, StoreParams
from tests.conftest import STORY_DAY
from tests.fixtures.backends import both_backends
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.reranker import FAKE_MODEL_PARAMS

pytest_generate_tests = both_backends  # engine tests run against both archives

WAIT = 30.0  # seconds: a bound against hangs, never a measurement


@pytest.fixture
def engine(open_engine, newsroom_corpus):
    engine = open_engine(params=FAKE_MODEL_PARAMS)
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
    assert all(c.source.outlet != "Newsroom memo" for c in public.quoted)
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


def test_search_lists_no_article_that_neither_shares_a_term_nor_comes_close_in_meaning(engine):
    assert engine.search("zebra crossing elections") == [], "fusion ranks any chunk: a floor is needed"


def test_a_search_snippet_is_the_best_matching_sentence_with_the_matched_words_marked(engine):
    [hit] = [h for h in engine.search("park district lifeguards") if h.source.title.startswith("Lake")]
    assert hit.snippet == "Lifeguards returned to 23 lakefront beaches on Monday, the park district said."
    assert [hit.snippet[a:b] for a, b in hit.marks] == ["Lifeguards", "park", "district"]


@pytest.mark.parametrize("limit", [0, -3])
def test_a_search_lists_at_least_one_article(engine, limit):
    with pytest.raises(BadQuestionError, match="at least 1"):
        engine.search("beaches", limit=limit)


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


def test_stats_count_the_index(engine, index_dir, backend):
    stats = engine.stats()
    assert (stats.articles, stats.internal, stats.retracted) == (3, 1, 0)
    assert stats.vectors == stats.chunks > 0
    assert stats.sentences >= stats.chunks
    assert (stats.model, stats.dimension) == ("hashing-test-encoder", 384)
    assert stats.last_ingest is not None
    if backend == "embedded":
        assert stats.index_dir == str(index_dir)
    else:  # where the archive is, without credentials
        assert stats.index_dir.startswith("milvus://127.0.0.1:")


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
    engine = open_engine(params=FAKE_MODEL_PARAMS)
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
    engine = open_engine(params=FAKE_MODEL_PARAMS)
    engine.ingest([corpus_dir])
    as_of_2022 = engine.ask("how many carjackings last year?", as_of=dt.date(2022, 3, 1))
    as_of_2024 = engine.ask("how many carjackings last year?", as_of=dt.date(2024, 3, 1))
    assert as_of_2022.period == "last year" and not as_of_2022.abstained
    assert as_of_2022.stated[0].answer_text == "nearly 2,098"
    assert as_of_2024.abstained, "last year is 2023 as of 2024: the 2021 figure does not answer"


def test_a_question_as_of_a_day_reads_that_days_story_where_an_older_one_matches_better(
    open_engine, two_stories_corpus
):
    """Retrieval reads one chunk here: the older article, worded like the question, wins on fused
    rank alone; asked as of the day of the newer one, that one is read and cited."""
    one_chunk = FAKE_MODEL_PARAMS.model_copy(
        update={"retrieval": FAKE_MODEL_PARAMS.retrieval.model_copy(update={"top": 1})}
    )
    engine = open_engine(params=one_chunk)
    engine.ingest([two_stories_corpus])
    question = "what did the council decide on the transit budget and bus fare?"

    def titles(as_of: dt.date | None) -> set[str]:
        return {j.candidate.source.title for j in engine.judge(question, as_of=as_of)}

    assert titles(None) == {"Council transit budget vote"}
    assert titles(STORY_DAY) == {"Fare settled"}
    answer = engine.ask(question, as_of=STORY_DAY)
    quoted = [*answer.citations, *answer.more_sources, *answer.related]
    assert quoted and {q.source.title for q in quoted} == {"Fare settled"}


# ---- rebuilds -------------------------------------------------------------------------------

BIKES = (
    "---\ntitle: Bike thefts fell in 2023\nurl: https://news.example/bikes\npublished: 2024-01-10\n---\n"
    "In 2023, Chicago saw 1,234 bike thefts, according to police.\n"
)
FERRIES = (
    "---\ntitle: Ferry riders\nurl: https://news.example/ferries\npublished: 2022-01-10\n---\n"
    "In 2021, the lake ferry carried 120,000 riders, the port authority said.\n"
)


def cited_ids(answer) -> set[str]:
    return {c.source.article_id for c in answer.quoted}


@pytest.mark.embedded_only  # rebuilds are the index folder's
def test_a_rebuild_keeps_the_uploads_their_articles_and_the_feedback(
    engine, open_engine, index_dir, newsroom_corpus, encoder
):
    uploaded = index_dir / "uploads" / "bikes.md"  # where the bot's /ingest keeps its files
    uploaded.parent.mkdir()
    uploaded.write_text(BIKES)
    engine.ingest([uploaded])
    for helpful in (True, True, False):
        engine.record_feedback(helpful=helpful, user_hash="u1", question="q")
    engine.close()

    report = Engine.rebuild(index_dir, encoder, [newsroom_corpus], params=FAKE_MODEL_PARAMS)

    assert "https://news.example/bikes" in report.added
    assert uploaded.read_text() == BIKES
    restarted = open_engine(params=FAKE_MODEL_PARAMS, create=False)
    stats = restarted.stats()
    assert (stats.articles, stats.feedback_helpful, stats.feedback_unhelpful) == (4, 2, 1)
    assert "https://news.example/bikes" in cited_ids(restarted.ask("how many bike thefts in 2023?"))


@pytest.mark.embedded_only  # rebuilds are the index folder's
def test_an_engine_open_during_a_rebuild_answers_takes_feedback_and_ingests_in_the_new_archive(
    engine, open_engine, index_dir, encoder, write_article, tmp_path
):
    other = tmp_path / "other"
    other.mkdir()
    (other / "ferries.md").write_text(FERRIES)
    Engine.rebuild(index_dir, encoder, [other], params=FAKE_MODEL_PARAMS)

    assert cited_ids(engine.ask("how many ferry riders in 2021?")) == {"https://news.example/ferries"}
    engine.record_feedback(helpful=True, user_hash="u1", question="q")
    engine.ingest([write_article("bikes.md", BIKES, directory=tmp_path / "more")])
    assert "https://news.example/bikes" in cited_ids(engine.ask("how many bike thefts in 2023?"))

    restarted = open_engine(params=FAKE_MODEL_PARAMS, create=False)
    stats = restarted.stats()
    assert (stats.articles, stats.feedback_helpful) == (2, 1)


class HeldEncoder(HashingEncoder):
    """Encodes once `release` is set, and says when it first waits."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting, self.release = threading.Event(), threading.Event()

    def encode(self, texts):
        self.waiting.set()
        assert self.release.wait(WAIT)
        return super().encode(texts)


@pytest.mark.embedded_only  # rebuilds are the index folder's
def test_an_ingest_a_rebuild_overtakes_is_written_into_the_new_archive(open_engine, index_dir, tmp_path):
    held = HeldEncoder()
    held.release.set()
    Engine.open(index_dir, held, create=True).close()
    held.release.clear()
    engine = Engine.open(index_dir, held)
    more = tmp_path / "more"
    more.mkdir()
    (more / "bikes.md").write_text(BIKES)
    done: list = []
    ingesting = threading.Thread(target=lambda: done.append(engine.ingest([more])))
    ingesting.start()
    try:
        assert held.waiting.wait(WAIT)  # its writer is open on the old build, the batch not written
        other = tmp_path / "other"
        other.mkdir()
        (other / "ferries.md").write_text(FERRIES)
        Engine.rebuild(index_dir, HashingEncoder(), [other])
    finally:
        held.release.set()
        ingesting.join(WAIT)
        engine.close()
    assert done and done[0].added == ["https://news.example/bikes"]
    stats = open_engine(create=False).stats()
    assert stats.articles == 2  # the rebuild's article and the overtaken ingest's


@pytest.mark.embedded_only  # rebuilds are the index folder's
def test_a_rebuild_without_room_for_a_second_copy_is_refused_and_the_archive_stays(
    engine, open_engine, index_dir, newsroom_corpus, encoder
):
    no_room = EngineParams(store=StoreParams(min_free_bytes=1 << 62))
    with pytest.raises(DiskFullError, match="free some space"):
        Engine.rebuild(index_dir, encoder, [newsroom_corpus], params=no_room)
    assert engine.stats().articles == 3
    assert [p.name for p in index_dir.iterdir() if p.name.startswith("build-")] == ["build-000001"]


@pytest.mark.embedded_only  # the index folder's disk
def test_an_ingest_batch_is_not_written_onto_a_nearly_full_disk(open_engine, newsroom_corpus):
    engine = open_engine(params=EngineParams(store=StoreParams(min_free_bytes=1 << 62)))
    with pytest.raises(DiskFullError, match="free some space"):
        engine.ingest([newsroom_corpus])
    assert engine.stats().articles == 0


def test_uploads_are_kept_under_their_name_replacing_an_older_one(engine, index_dir):
    first = engine.save_upload("bikes.md", b"one")
    assert first == index_dir / "uploads" / "bikes.md"
    engine.save_upload("bikes.md", b"two")
    assert first.read_bytes() == b"two" and [p.name for p in first.parent.iterdir()] == ["bikes.md"]
    for name in ("../bikes.md", ".hidden.md", "a/b.md", ""):
        with pytest.raises(ValueError):
            engine.save_upload(name, b"x")


def test_an_undated_archive_answers_a_question_about_a_year(open_engine, write_article, corpus_dir):
    """An article with no date states no period in this sentence: the question's year cannot
    rule it out (before, every such archive abstained on year questions)."""
    write_article("airline.txt", "Airline cuts\nThe airline has cut 13,000 jobs, its chief executive said.\n")
    engine = open_engine(params=FAKE_MODEL_PARAMS)
    engine.ingest([corpus_dir])
    answer = engine.ask("How many jobs did the airline cut in 2001?")
    assert not answer.abstained
    assert answer.stated[0].answer_text == "13,000"


def test_a_name_written_with_combining_accents_is_found_by_its_composed_spelling(
    open_engine, write_article, corpus_dir
):
    """A question typed "Pérez" finds and quotes an article that wrote "Pe" + a combining accent
    + "rez" (before, the mark split the word, and neither full-text search nor names met it)."""
    write_article("film.txt", "Awards\nThe film Emilia Pe\u0301rez led the nominations with 13 nods.\n")
    write_article("other.txt", "Weather\nRain is expected across the region this weekend.\n")
    engine = open_engine(params=FAKE_MODEL_PARAMS)
    engine.ingest([corpus_dir])
    answer = engine.ask("How many nods did Emilia Pérez get?")
    assert not answer.abstained
    assert answer.stated[0].sentence == "The film Emilia Pérez led the nominations with 13 nods."
    hits = engine.search("Pe\u0301rez")
    assert [h.source.title for h in hits] == ["Awards"]
    assert [hits[0].snippet[a:b] for a, b in hits[0].marks] == ["Pérez"]


def test_a_question_about_a_period_no_article_reaches_says_what_the_archive_covers(
    open_engine, write_article, corpus_dir
):
    for name, year in (("a.md", 2021), ("b.md", 2022)):
        write_article(
            name,
            f"Chicago saw {year - 19} carjackings in {year}, police said.\n",
            title=f"Carjackings {year}",
            published=f"{year + 1}-01-05",
            outlet="Example",
        )
    engine = open_engine(params=FAKE_MODEL_PARAMS)
    engine.ingest([corpus_dir])
    answer = engine.ask("how many carjackings in Chicago in 1990?")
    assert answer.abstained and answer.abstain_reason is AbstainReason.PERIOD_NOT_COVERED
    assert (str(answer.covered_from), str(answer.covered_to)) == ("2022-01-05", "2023-01-05")
