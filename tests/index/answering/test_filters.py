"""Filters (outlet, publication dates) narrow the articles an answer comes from before anything is
ranked; how the question was read, filters included, comes with every answer."""

from __future__ import annotations

import datetime as dt

import pytest

from index import AnswerKind, ArticleFilter, BadFilterError, EngineParams, RetrievalParams
from index.answering.filters import unknown_outlet
from index.answering.retrieval import retrieve
from index.store.hybrid import filtered_dense
from index.store.store import Store
from index.text.terms import content_terms
from tests.conftest import CITE_EVERYTHING
from tests.fixtures.encoder import HashingEncoder

QUESTION = "how many dirigible landings at the hangar in 2021?"
COMMON = "In 2021, the hangar logged {n} dirigible landings at the airfield, the hangar crew said."
RARE = "The Rare Gazette counted 17 dirigible landings in 2021, a harbour pilot said."
# Few chunks each side, so that a plain search of the whole archive misses the rare outlet.
NARROW = RetrievalParams(depth=5, top=5)
SEARCHED_AS = pytest.mark.parametrize(
    "searched",
    [{"filter_fetch_max": 0}, {"filter_exact_max": 0, "filter_fetch_max": 10**9}],
    ids=["searched among its chunks", "over-fetched"],
)


@pytest.fixture
def rare_outlet_archive(tmp_path, write_article, open_engine):
    """Eighty articles of a common outlet that match the question closely, and one of a rare
    outlet that answers it less closely worded."""
    for n in range(80):
        write_article(
            f"common-{n:02d}.md",
            COMMON.format(n=100 + n) + "\n",
            title=f"Hangar report {n}",
            outlet="Common Times",
            published=f"2022-01-{n % 28 + 1:02d}",
        )
    write_article(
        "rare.md", RARE + "\n", title="Harbour pilots count", outlet="Rare Gazette", published="2022-02-01"
    )
    engine = open_engine(EngineParams(retrieval=NARROW, answer=CITE_EVERYTHING))
    report = engine.ingest([tmp_path / "corpus"])
    assert len(report.added) == 81
    return engine


def _outlets(store: Store, chunks: list[tuple[int, float]]) -> set[str | None]:
    rows = store.chunk_article_rows([c for c, _ in chunks])
    return {s.outlet for s in store.sources(rows.values()).values()}


@SEARCHED_AS
def test_a_filter_on_a_rare_outlet_retrieves_it_though_a_plain_search_misses_it(
    rare_outlet_archive, searched
):
    params = NARROW.model_copy(update=searched)
    vector = HashingEncoder().encode([QUESTION])[0]
    terms = content_terms(QUESTION)
    rare = ArticleFilter(outlet="Rare Gazette")
    with rare_outlet_archive.snapshot() as store:
        plain = retrieve(store, vector, terms, params, include_internal=False)
        filtered = retrieve(store, vector, terms, params, include_internal=False, filters=rare)
        assert _outlets(store, plain) == {"Common Times"}, "the test's premise: top-k misses it"
        assert filtered and _outlets(store, filtered) == {"Rare Gazette"}


def test_an_answer_filtered_to_a_rare_outlet_cites_only_it(rare_outlet_archive):
    answer = rare_outlet_archive.ask(QUESTION, filters=ArticleFilter(outlet="  rare GAZETTE "))
    assert answer.citations, answer
    assert {c.source.outlet for c in answer.quoted + answer.related} == {"Rare Gazette"}
    assert answer.reading is not None and answer.reading.filters.outlet == "Rare Gazette"


@pytest.mark.embedded_only  # the embedded archive's filtered FAISS search
@SEARCHED_AS
def test_filtered_dense_hits_are_the_brute_force_nearest_among_the_chunks_let_through(
    rare_outlet_archive, searched
):
    params = RetrievalParams(depth=8, **searched)
    window = ArticleFilter(outlet="common times", since=dt.date(2022, 1, 5), until=dt.date(2022, 1, 9))
    vector = HashingEncoder().encode(["dirigible landings airfield crew"])[0]
    with rare_outlet_archive.snapshot() as store:
        matching, visible = store.filter_counts(window, include_internal=False, retracted=False)
        got = filtered_dense(store, vector, params, window, visible / matching, False, False)
        among = store.filtered_chunks(window, include_internal=False, retracted=False)
        ids, vectors = store.chunk_vectors()
    score = dict(zip(ids.tolist(), (vectors @ vector).tolist(), strict=True))
    best = sorted((score[i] for i in among), reverse=True)[: params.depth]
    assert len(among) == 15  # five days, three articles a day (80 articles over 28 days)
    assert set(got) <= set(among)
    # By score: the articles differ only in a figure, so their vectors nearly tie.
    assert sorted((score[i] for i in got), reverse=True) == pytest.approx(best, abs=1e-3)


def test_a_filter_no_article_passes_retrieves_nothing(rare_outlet_archive):
    vector = HashingEncoder().encode([QUESTION])[0]
    never = ArticleFilter(outlet="Rare Gazette", until=dt.date(2021, 1, 1))
    with rare_outlet_archive.snapshot() as store:
        assert (
            retrieve(store, vector, content_terms(QUESTION), NARROW, include_internal=False, filters=never)
            == []
        )
    answer = rare_outlet_archive.ask(QUESTION, filters=never)
    assert answer.abstained and not answer.related


@pytest.fixture
def dated_archive(tmp_path, write_article, open_engine):
    for day in (1, 2, 3):
        write_article(
            f"ferry-{day}.md",
            f"The ferry carried {day * 100} riders across the harbour.\n",
            title=f"Ferry day {day}",
            outlet="Harbour Post",
            published=f"2022-06-0{day}",
        )
    write_article(
        "ferry-undated.md", "The ferry carried 999 riders across the harbour.\n", title="Ferry undated"
    )
    engine = open_engine(EngineParams(answer=CITE_EVERYTHING))
    engine.ingest([tmp_path / "corpus"])
    return engine


def _published(engine, filters: ArticleFilter) -> list[dt.date | None]:
    hits = engine.search("ferry riders harbour", filters=filters)
    return sorted(h.source.published for h in hits if h.source.published) + [
        None for h in hits if h.source.published is None
    ]


def test_since_and_until_include_their_own_days(dated_archive):
    june = [dt.date(2022, 6, d) for d in (1, 2, 3)]
    assert _published(dated_archive, ArticleFilter(since=june[1], until=june[1])) == [june[1]]
    assert _published(dated_archive, ArticleFilter(since=june[1])) == june[1:]
    assert _published(dated_archive, ArticleFilter(until=june[1])) == june[:2]


def test_an_undated_article_passes_no_date_bound_but_any_outlet_filter_of_its_own(dated_archive):
    assert None in _published(dated_archive, ArticleFilter())
    assert None not in _published(dated_archive, ArticleFilter(since=dt.date(1900, 1, 1)))


def test_since_after_until_is_an_error_for_the_user(dated_archive):
    with pytest.raises(BadFilterError, match="2022-06-03 is after until 2022-06-01"):
        dated_archive.ask(
            "ferry riders?", filters=ArticleFilter(since=dt.date(2022, 6, 3), until=dt.date(2022, 6, 1))
        )


def test_an_unknown_outlet_is_an_error_listing_the_known_ones(open_engine, newsroom_corpus):
    engine = open_engine()
    engine.ingest([newsroom_corpus])
    with pytest.raises(BadFilterError) as refused:
        engine.ask("how many carjackings in 2021?", filters=ArticleFilter(outlet="Example Times"))
    message = str(refused.value)
    assert "'Example Times'" in message and "Known outlets: Example Tribune." in message
    assert "Newsroom memo" not in message, "an internal outlet is not told to those who may not see it"
    with pytest.raises(BadFilterError, match="Known outlets: Example Tribune, Newsroom memo"):
        engine.ask("budget?", include_internal=True, filters=ArticleFilter(outlet="Example Times"))


def test_an_internal_only_outlet_is_unknown_to_a_public_question(open_engine, newsroom_corpus):
    engine = open_engine()
    engine.ingest([newsroom_corpus])
    with pytest.raises(BadFilterError, match="No outlet named 'newsroom memo'"):
        engine.ask("zeppelin desk budget?", filters=ArticleFilter(outlet="newsroom memo"))
    inside = engine.ask(
        "zeppelin desk budget?", include_internal=True, filters=ArticleFilter(outlet="newsroom memo")
    )
    assert {c.source.outlet for c in inside.quoted + inside.related} <= {"Newsroom memo"}


def test_a_long_list_of_outlets_is_cut_and_counted():
    error = unknown_outlet("Nope", [f"Outlet {n:02d}" for n in range(30)], listed=3)
    assert str(error).endswith("Known outlets: Outlet 00, Outlet 01, Outlet 02 and 27 more.")


def test_an_archive_without_outlets_says_so():
    assert "names no outlets" in str(unknown_outlet("Nope", [], listed=20))


def test_the_outlets_are_listed_once_each_whatever_their_case_or_spaces(open_engine, tmp_path, write_article):
    for n, outlet in enumerate(["Harbour Post", "harbour post ", "Alder Weekly", "  "]):
        write_article(f"a{n}.md", f"Story number {n} about the harbour.\n", title=f"Story {n}", outlet=outlet)
    engine = open_engine()
    engine.ingest([tmp_path / "corpus"])
    assert engine.outlets() == ["Alder Weekly", "Harbour Post"]
    hits = engine.search("harbour story", filters=ArticleFilter(outlet="HARBOUR POST"))
    assert sorted(h.source.title for h in hits) == ["Story 0", "Story 1"]


# ---- the reading, on every answer -------------------------------------------------------------


def test_every_answer_carries_how_its_question_was_read(dated_archive):
    answer = dated_archive.ask("how many riders did the ferry carry in 2022?")
    reading = answer.reading
    assert reading is not None and reading.kind is AnswerKind.HOW_MANY and reading.counted == "riders"
    assert reading.period == "2022" and not reading.as_of_matters and not reading.filters.active
    assert answer.explanation is None, "the reading comes without --explain"


def test_an_abstention_carries_its_reading_too(dated_archive):
    answer = dated_archive.ask("how many zeppelins landed in 1931?")
    assert answer.abstained and answer.reading is not None and answer.reading.period == "1931"


def test_the_as_of_day_matters_when_given_when_a_relative_period_was_read_against_it_or_when_asked_of_now(
    dated_archive,
):
    given = dated_archive.ask("ferry riders in 2022?", as_of=dt.date(2022, 7, 1)).reading
    relative = dated_archive.ask("how many ferry riders last year?").reading
    present = dated_archive.ask("who pilots the ferry now?").reading
    neither = dated_archive.ask("how many ferry riders in 2022?").reading
    assert given is not None and given.as_of_matters and given.as_of == dt.date(2022, 7, 1)
    assert relative is not None and relative.as_of_matters and relative.period_from == dt.date(2021, 1, 1)
    assert present is not None and present.as_of_matters
    assert neither is not None and not neither.as_of_matters


def test_a_question_that_counts_nothing_is_read_with_its_subject(dated_archive):
    reading = dated_archive.ask("who piloted the harbour ferry on Monday?").reading
    assert reading is not None and reading.kind is AnswerKind.WHO
    assert reading.subject == "piloted harbour ferry Monday"


def test_a_filter_sees_the_articles_ingested_since_it_was_last_used(dated_archive, write_article, tmp_path):
    harbour = ArticleFilter(outlet="Harbour Post", since=dt.date(2022, 6, 3))
    assert _published(dated_archive, harbour) == [dt.date(2022, 6, 3)]
    write_article(
        "ferry-4.md",
        "The ferry carried 400 riders across the harbour.\n",
        title="Ferry day 4",
        outlet="Harbour Post",
        published="2022-06-04",
    )
    dated_archive.ingest([tmp_path / "corpus"])
    assert _published(dated_archive, harbour) == [dt.date(2022, 6, 3), dt.date(2022, 6, 4)]
