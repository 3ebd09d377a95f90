"""`newsbot ingest --feed URL` refreshes a feed from a site on 127.0.0.1 and prints what changed
and each failure; `newsbot report` lists the unanswered topics. Both run in-process."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

import bot.cli.commands
from index import Engine, EngineParams
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.news_site import NewsSite, serve_site
from tests.fixtures.riverton import FAILING, FEED, build_riverton
from tests.index.feeds.conftest import FEED_PARAMS


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path, clean_env):
    """No .env and no NEWSBOT_* settings from the machine running the tests."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)


@pytest.fixture
def hashing_model(monkeypatch):
    monkeypatch.setattr(
        bot.cli.commands, "load_encoder", lambda model_dir=None, backend=None: HashingEncoder()
    )


@pytest.fixture
def site(monkeypatch) -> Iterator[NewsSite]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)  # the CLI's client reads them: stay on loopback
    monkeypatch.setattr(bot.cli.commands, "PARAMS", EngineParams(feeds=FEED_PARAMS))
    site = NewsSite()
    server = serve_site(site)
    next(server)
    build_riverton(site)
    yield site
    server.close()


def test_ingest_feed_prints_the_refresh_and_every_failure(run, hashing_model, site, index_dir):
    code, out, err = run("ingest", "--index-dir", index_dir, "--feed", site.url(FEED))
    assert code == 0, err
    assert "added 2, updated 0" in out  # the feed lists two good pages; the sitemap is not asked
    for path, reason in FAILING.items():
        assert f"failed {site.url(path)}: " in out and reason in out

    code, out, _ = run("ingest", "--index-dir", index_dir, "--feed", site.url(FEED))
    assert code == 0 and "0 pages fetched, 2 unchanged (304)" in out


def test_ingest_paths_and_a_feed_does_both_and_an_unchanged_folder_still_refreshes(
    run, hashing_model, site, index_dir, corpus_dir, write_article
):
    write_article("a.md", "The council met on Tuesday.")
    code, out, err = run("ingest", "--index-dir", index_dir, "-q", corpus_dir, "--feed", site.url(FEED))
    assert code == 0, err
    assert out.startswith("added 1, updated 0") and f"index: {index_dir}" in out
    assert "refreshed: 1 feeds" in out and "added 2, updated 0" in out

    code, out, err = run("ingest", "--index-dir", index_dir, "-q", corpus_dir, "--feed", site.url(FEED))
    assert code == 0, err
    assert "unchanged 1" in out, "the folder is found unchanged"
    assert "0 pages fetched, 2 unchanged (304)" in out, "and the feed is refreshed all the same"
    code, out, err = run("ingest", "--index-dir", index_dir, "-q", corpus_dir)
    assert code == 0 and "removed 0" in out, "a path ingest removes no article from a feed"


def test_ingest_feeds_without_configured_feeds_is_a_one_line_error(run, hashing_model, index_dir):
    code, _, err = run("ingest", "--index-dir", index_dir, "--feeds")
    assert code == 2 and err.count("\n") == 1 and "NEWSBOT_FEEDS" in err


def test_ingest_feeds_reads_the_configured_feeds(run, hashing_model, site, index_dir, monkeypatch):
    monkeypatch.setenv("NEWSBOT_FEEDS", site.url(FEED))
    code, out, err = run("ingest", "--index-dir", index_dir, "--feeds")
    assert code == 0 and "added 2" in out, err


def test_report_lists_the_unanswered_topics(run, hashing_model, index_dir, corpus_dir, write_article):
    write_article("a.md", "The council met on Tuesday.")
    engine = Engine.open(index_dir, HashingEncoder(), create=True)
    engine.ingest([corpus_dir])
    for question in ("pool opening hours summer", "pool opening hours weekend", "snow plow street schedule"):
        engine.record_abstention(user_hash="u", question=question)
    engine.close()

    code, out, err = run("report", "--index-dir", index_dir)
    assert code == 0, err
    assert out.splitlines()[0] == "Topics the archive could not answer (3 questions):"
    assert "(2 asked)" in out and "(1 asked)" in out and out.index("(2 asked)") < out.index("(1 asked)")
    code, out, _ = run("report", "--index-dir", index_dir, "--json")
    assert [t["count"] for t in json.loads(out)["topics"]] == [2, 1]


def test_a_corrected_articles_citation_shows_its_note_in_text_and_json():
    from bot.cli.render import answer_json, format_answer
    from index import Answer, AnswerLine, Citation, Source

    note = "Correction: An earlier version of this story said the pipe was 60 years old."
    source = Source(
        article_id="u",
        title="Water main",
        url="u",
        outlet="Ledger",
        published=None,
        note=note,
        updated=dt.date(2024, 3, 6),
    )
    sentence = "Crews replaced a 90-year-old pipe."
    answer = Answer(
        question="How old was the pipe?",
        abstained=False,
        lines=[AnswerLine(citation=1)],
        citations=[Citation(n=1, source=source, sentence=sentence, start=0, end=len(sentence), score=1.0)],
    )
    assert f"    Note: {note}" in format_answer(answer).splitlines()
    citation = answer_json(answer)["citations"][0]
    assert (citation["note"], citation["updated"]) == (note, "2024-03-06")
