"""A refresh reads a feed and a sitemap index from a site on 127.0.0.1, keeps exactly the good
articles, each once, reports every failing page with its reason, and next time asks only
conditionally, fetching nothing that did not change."""

from __future__ import annotations

from index.feeds.records import RefreshReport
from tests.fixtures.backends import both_backends
from tests.fixtures.news_site import NewsSite
from tests.fixtures.riverton import (
    FAILING,
    FEED,
    GOOD,
    LIBRARY_NEW_HOURS,
    NEWS_SITEMAP,
    SITEMAP_INDEX,
    page,
    publish_feed,
)

pytest_generate_tests = both_backends  # engine tests run against both archives


def feeds(site: NewsSite) -> list[str]:
    return [site.url(FEED), site.url(SITEMAP_INDEX)]


def stored_ids(engine) -> set[str]:
    with engine.snapshot() as store:
        return set(store.article_index())


def test_the_archive_holds_exactly_the_good_articles_each_once(site, client, open_engine, feed_params):
    engine = open_engine(feed_params)
    report = engine.refresh(feeds(site), client)

    assert stored_ids(engine) == {site.url(p) for p in GOOD}
    assert sorted(report.ingest.added) == sorted(site.url(p) for p in GOOD)
    # The water main story is listed by the feed and by the sitemap: fetched once.
    assert len(site.asked("/news/water-main.html")) == 1
    info = engine.article(site.url("/news/water-main.html"))
    assert info is not None
    assert (info.title, info.author, info.outlet) == (
        "Water main break floods Elm Street",
        "Dana Reyes",
        "Riverton Ledger",
    )
    assert info.published is not None and info.published.isoformat() == "2024-03-05"


def test_each_failing_page_is_reported_with_its_reason_and_stops_no_other(
    site, client, open_engine, feed_params
):
    report = open_engine(feed_params).refresh(feeds(site), client)

    reasons = {failure.source: failure.reason for failure in report.failed}
    assert set(reasons) == {site.url(p) for p in FAILING}
    for path, reason in FAILING.items():
        assert reason in reasons[site.url(path)], (path, reasons[site.url(path)])
    assert not site.asked("/private/memo.html"), "robots.txt forbids it: never requested"
    assert report.fetched == len(GOOD)


def _second(site: NewsSite, client, engine) -> tuple[RefreshReport, list]:
    before = len(site.requests)
    report = engine.refresh(feeds(site), client)
    return report, site.requests[before:]


def test_a_second_refresh_fetches_nothing_unchanged(site, client, open_engine, feed_params):
    engine = open_engine(feed_params)
    engine.refresh(feeds(site), client)
    report, requests = _second(site, client, engine)

    listings = [FEED, SITEMAP_INDEX, NEWS_SITEMAP]
    for request in requests:
        if request.path in [*GOOD, *listings]:
            assert request.headers.get("If-None-Match"), request.path
            assert request.status == 304, request.path
    assert {r.path for r in requests if r.status == 304} == {*GOOD, *listings}
    assert report.fetched == 0 and report.not_modified == len(GOOD)
    assert report.ingest.added == report.ingest.updated == []
    assert stored_ids(engine) == {site.url(p) for p in GOOD}


def test_a_changed_article_replaces_its_old_version(site, client, open_engine, feed_params):
    engine = open_engine(feed_params)
    engine.refresh(feeds(site), client)
    site.routes["/news/library.html"] = page(
        *GOOD["/news/library.html"][:1], LIBRARY_NEW_HOURS, etag='"lib-v2"'
    )
    report, _ = _second(site, client, engine)

    assert report.fetched == 1
    assert report.ingest.updated == [site.url("/news/library.html")]
    hits = engine.search("Saturdays open library branch")
    assert hits and hits[0].source.article_id == site.url("/news/library.html")
    assert "Saturdays" in hits[0].snippet and "6 p.m." not in hits[0].snippet
    assert stored_ids(engine) == {site.url(p) for p in GOOD}


def test_a_page_that_failed_is_fetched_in_full_next_time(site, client, open_engine, feed_params):
    engine = open_engine(feed_params)
    engine.refresh(feeds(site), client)
    site.routes["/news/broken.html"] = page(
        "Ferry to run every 20 minutes", ["The ferry runs more often now."], etag='"ferry"'
    )
    report, requests = _second(site, client, engine)

    retried = [r for r in requests if r.path == "/news/broken.html"]
    assert len(retried) == 1 and "If-None-Match" not in retried[0].headers
    assert report.ingest.added == [site.url("/news/broken.html")]
    assert site.url("/news/broken.html") not in {f.source for f in report.failed}


def test_an_article_published_on_the_feed_is_added_next_time(site, client, open_engine, feed_params):
    engine = open_engine(feed_params)
    engine.refresh(feeds(site), client)
    site.routes["/news/ferry.html"] = page(
        "Ferry to run every 20 minutes", ["The ferry runs more often now."], etag='"ferry"'
    )
    publish_feed(site, ["/news/ferry.html", *GOOD], etag='"feed-v2"')
    report, _ = _second(site, client, engine)

    assert report.ingest.added == [site.url("/news/ferry.html")]
    assert report.fetched == 1


def test_the_last_refresh_shows_in_stats(site, client, open_engine, feed_params):
    engine = open_engine(feed_params)
    assert engine.stats().last_refresh is None
    report = engine.refresh(feeds(site), client)

    stats = engine.stats()
    assert stats.last_refresh is not None
    assert stats.last_refresh_summary == report.summary()
    assert "added 3" in report.summary() and f"failed {len(FAILING)}" in report.summary()


def test_a_feed_that_cannot_be_read_is_reported_and_the_others_go_on(site, client, open_engine, feed_params):
    report = open_engine(feed_params).refresh([site.url("/missing.xml"), site.url(SITEMAP_INDEX)], client)

    assert {f.source: f.reason for f in report.failed} == {site.url("/missing.xml"): "HTTP 404"}
    assert sorted(report.ingest.added) == sorted(
        site.url(p) for p in ("/news/water-main.html", "/news/school-budget.html")
    )


def test_a_corrected_article_from_the_feed_is_cited_with_its_note(
    site, client, open_engine, feed_params, cite_everything
):
    engine = open_engine(feed_params.model_copy(update={"answer": cite_everything.answer}))
    engine.refresh(feeds(site), client)

    answer = engine.ask("How old was the pipe under Elm Street?")
    water = [c for c in answer.citations if c.source.article_id == site.url("/news/water-main.html")]
    assert water and all(c.source.note and "60 years old" in c.source.note for c in water)
    assert not any("60 years old" in c.sentence for c in answer.citations)


def test_a_page_the_extractor_chokes_on_is_logged_and_the_others_go_on(
    site, client, open_engine, feed_params, monkeypatch, caplog
):
    import index.feeds.refresh

    real = index.feeds.refresh.page_article

    def choking(page, listed):
        if listed.url.endswith("/news/library.html"):
            raise RuntimeError("extractor bug")
        return real(page, listed)

    monkeypatch.setattr(index.feeds.refresh, "page_article", choking)
    engine = open_engine(feed_params)
    report = engine.refresh(feeds(site), client)

    reasons = {f.source: f.reason for f in report.failed}
    assert reasons[site.url("/news/library.html")] == "could not read the page (RuntimeError; see the log)"
    assert "extractor bug" in caplog.text
    assert stored_ids(engine) == {site.url(p) for p in GOOD if p != "/news/library.html"}
