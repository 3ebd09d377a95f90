"""`Engine.figures`: the figures stored at ingest about a topic, grouped by what they count and
by period, newest first; sources that disagree side by side; records that go with their article
and follow the archive's visibility rules."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from index.errors import BadQuestionError
from index.store.schema import DB_NAME
from index.store.store import Store
from tests.fixtures.backends import both_backends
from tests.fixtures.figures import (
    BURGLARY_MEMO,
    GAZETTE_BURGLARIES,
    LEDGER_BURGLARIES,
    RETRACTED_BURGLARIES,
)

pytest_generate_tests = both_backends  # engine tests run against both archives

LEDGER = {
    "title": "Burglaries hit a record",
    "url": "https://ledger.example/burglaries",
    "published": "2024-01-10",
    "outlet": "Riverton Ledger",
}
GAZETTE = {
    "title": "Police count fewer burglaries",
    "url": "https://gazette.example/burglaries",
    "published": "2024-01-12",
    "outlet": "Riverton Gazette",
}


@pytest.fixture
def burglary_corpus(corpus_dir, write_article):
    write_article("ledger.md", LEDGER_BURGLARIES, **LEDGER)
    write_article("gazette.md", GAZETTE_BURGLARIES, **GAZETTE)
    write_article(
        "memo.md",
        BURGLARY_MEMO,
        title="Desk memo: burglary counts",
        published="2024-01-11",
        visibility="internal",
    )
    return corpus_dir


@pytest.fixture
def engine(open_engine, burglary_corpus):
    opened = open_engine()
    opened.ingest([burglary_corpus])
    return opened


def listed(report):
    """(thing, period, [figures as written], disagree) for each group, in the report's order."""
    return [
        (t.thing, g.label, [f.value.text for f in g.figures], g.disagree)
        for t in report.things
        for g in t.groups
    ]


def figure_rows(index_dir) -> int:
    with contextlib.closing(sqlite3.connect(index_dir / DB_NAME)) as db:
        return db.execute("SELECT count(*) FROM figures").fetchone()[0]


def test_figures_are_grouped_by_thing_and_period_newest_first_and_disagreements_flagged(engine):
    assert listed(engine.figures("burglaries")) == [
        ("burglaries", "2023", ["2,098", "1,849"], True),
        ("burglaries", "2022", ["nearly 1,700"], False),
        ("arrests", "2023", ["Just 310"], False),
    ]


def test_each_figure_is_cited_with_its_sentence_the_figure_offsets_and_the_attributed_source(engine):
    first = engine.figures("burglaries").things[0].groups[0].figures
    ledger, gazette = (f.citation for f in first)
    assert ledger.sentence == "Riverton recorded 2,098 burglaries in 2023, according to the Sheriff's Office."
    assert ledger.answer_text == "2,098" and ledger.attributed_to == "Sheriff's Office"
    assert (ledger.source.outlet, gazette.source.outlet) == ("Riverton Ledger", "Riverton Gazette")
    assert gazette.attributed_to == "Police data" and first[1].place == "Riverton"
    assert [ledger.n, gazette.n] == [1, 2]


def test_internal_figures_are_listed_only_when_internal_articles_may_be_shown(engine):
    public = [f.value.text for t in engine.figures("burglaries").things for g in t.groups for f in g.figures]
    internal = engine.figures("burglaries", include_internal=True)
    assert "2,500" not in public
    assert "2,500" in [f.value.text for g in internal.things[0].groups for f in g.figures]


def test_a_figure_for_another_thing_is_not_about_the_topic(engine):
    assert engine.figures("homicides").things == []


@pytest.mark.embedded_only  # reads the figures table itself
def test_figures_go_with_their_article_when_it_is_removed(engine, burglary_corpus, index_dir):
    before = figure_rows(index_dir)
    (burglary_corpus / "gazette.md").unlink()
    engine.ingest([burglary_corpus])
    assert figure_rows(index_dir) == before - 1
    assert listed(engine.figures("burglaries"))[0] == ("burglaries", "2023", ["2,098"], False)


@pytest.mark.embedded_only  # reads the figures table itself
def test_a_retracted_article_keeps_no_figures(engine, burglary_corpus, write_article, index_dir):
    before = figure_rows(index_dir)
    write_article("post.md", RETRACTED_BURGLARIES, title="Burglaries", published="2024-01-13")
    engine.ingest([burglary_corpus])
    assert "9,999" in [
        f.value.text for t in engine.figures("burglaries").things for g in t.groups for f in g.figures
    ]
    write_article(
        "post.md", RETRACTED_BURGLARIES, title="Burglaries", published="2024-01-13", status="retracted"
    )
    engine.ingest([burglary_corpus])
    assert figure_rows(index_dir) == before
    shown = [f.value.text for t in engine.figures("burglaries").things for g in t.groups for f in g.figures]
    assert "9,999" not in shown


@pytest.mark.embedded_only  # reads the figures table itself
def test_a_format_4_index_gets_its_figures_from_its_stored_sentences(open_engine, burglary_corpus, index_dir):
    engine = open_engine()
    engine.ingest([burglary_corpus])
    expected = engine.figures("burglaries", include_internal=True)
    engine.close()
    with contextlib.closing(sqlite3.connect(index_dir / DB_NAME)) as db, db:
        rows = db.execute("SELECT * FROM figures ORDER BY id").fetchall()
        db.execute("DROP TABLE figures")
        db.execute("UPDATE meta SET value = '4' WHERE key = 'format_version'")
    Store.open(index_dir, engine.encoder.name, engine.encoder.dimension, create=False).close()
    with contextlib.closing(sqlite3.connect(index_dir / DB_NAME)) as db:
        again = db.execute("SELECT * FROM figures ORDER BY id").fetchall()
        version = db.execute("SELECT value FROM meta WHERE key = 'format_version'").fetchone()[0]
    assert version == "5" and [r[1:] for r in again] == [r[1:] for r in rows]
    assert open_engine().figures("burglaries", include_internal=True) == expected


@pytest.mark.slow
def test_the_seed_corpus_lists_the_carjacking_figures_by_period_and_arrests_apart(seed_engine):
    report = seed_engine.figures("carjackings")
    assert listed(report) == [
        ("carjackings", "from Jan. 1 through July 24 of 2022", ["942"], False),
        ("carjackings", "from January to April of 2022", ["more than 500"], False),
        ("carjackings", "2021", ["nearly 2,098"], False),
        ("arrests", "from Jan. 1 through July 24 of 2022", ["Just 57"], False),
    ]
    things = [f.thing for t in report.things for g in t.groups for f in g.figures]
    assert things == ["vehicular hijackings", "carjackings", "incidents of vehicular hijacking", "arrests"]
    assert report.things[0].groups[2].figures[0].citation.attributed_to == "Cook County Sheriff's Office"


def test_figures_for_other_places_in_one_period_do_not_disagree(engine, burglary_corpus, write_article):
    write_article(
        "thefts.md", "Riverton recorded 120 bike thefts in 2023.\n", title="Thefts", published="2024-01-02"
    )
    write_article(
        "elmwood.md", "Elmwood recorded 95 bike thefts in 2023.\n", title="Elmwood", published="2024-01-03"
    )
    engine.ingest([burglary_corpus])
    (group,) = engine.figures("bike thefts").things[0].groups
    assert [(f.value.text, f.place) for f in group.figures] == [("120", "Riverton"), ("95", "Elmwood")]
    assert not group.disagree


def test_a_relative_period_is_labelled_with_its_dates(engine, burglary_corpus, write_article):
    write_article("week.md", "Police logged 41 car thefts last week.\n", title="Week", published="2024-01-10")
    engine.ingest([burglary_corpus])
    assert engine.figures("car thefts").things[0].groups[0].label == "last week (2024-01-01 to 2024-01-07)"


def test_an_empty_topic_is_refused_with_what_to_give(engine):
    with pytest.raises(BadQuestionError, match="Give a topic"):
        engine.figures("   ")
