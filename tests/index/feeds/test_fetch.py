"""The fetcher against a site on 127.0.0.1: conditional requests, redirects hop by hop (each
checked against robots.txt), size caps before and while reading, robots.txt failures, and the
pace per host (a fake clock: nothing sleeps)."""

from __future__ import annotations

import pytest

from index.feeds.fetch import HTML_TYPES, Fetcher, FetchFailed
from index.feeds.records import Validators
from index.params import FeedParams
from tests.fixtures.news_site import Route
from tests.index.feeds.conftest import FEED_PARAMS
from tests.index.feeds.test_pacing import FakeTime


def fetcher(client, **params) -> Fetcher:
    return Fetcher(client, FEED_PARAMS.model_copy(update=params))


def test_the_version_named_by_its_etag_is_not_sent_again(site, client):
    first = fetcher(client).get(site.url("/news/library.html"), types=HTML_TYPES)
    assert first is not None and first.validators.etag == '"/news/library.html-v1"'
    assert fetcher(client).get(site.url("/news/library.html"), first.validators) is None
    assert site.asked("/news/library.html")[-1].status == 304


def test_a_redirect_is_followed_to_the_page_and_each_hop_is_checked_against_robots(site, client):
    site.routes["/old/library"] = Route(status=301, location="/news/library.html")
    site.routes["/old/memo"] = Route(status=301, location="/private/memo.html")
    page = fetcher(client).get(site.url("/old/library"), types=HTML_TYPES)
    assert page is not None and page.url == site.url("/news/library.html")
    with pytest.raises(FetchFailed, match=r"robots\.txt of 127\.0\.0\.1:[0-9]+ forbids it"):
        fetcher(client).get(site.url("/old/memo"))
    assert not site.asked("/private/memo.html")


def test_too_many_redirects_fail(site, client):
    for n in range(4):
        site.routes[f"/hop/{n}"] = Route(status=302, location=f"/hop/{n + 1}")
    with pytest.raises(FetchFailed, match="more than 2 redirects"):
        fetcher(client, max_redirects=2).get(site.url("/hop/0"))


def test_a_declared_size_over_the_cap_fails_before_reading(site, client):
    site.routes["/big"] = Route(b"x" * 60_000)
    with pytest.raises(FetchFailed, match="60,000 declared"):
        fetcher(client).get(site.url("/big"))


def test_a_host_whose_robots_txt_fails_is_not_fetched_for_now(site, client):
    site.routes["/robots.txt"] = Route(b"down", status=503)
    with pytest.raises(FetchFailed, match=r"robots.txt of .* unreadable \(robots.txt answered HTTP 503\)"):
        fetcher(client).get(site.url("/news/library.html"))
    assert not site.asked("/news/library.html")


def test_only_http_addresses_are_fetched(client):
    with pytest.raises(FetchFailed, match="not an http"):
        fetcher(client).get("file:///etc/passwd")


def test_requests_to_one_host_keep_the_interval_and_a_longer_crawl_delay(site, client):
    time = FakeTime()
    polite = Fetcher(client, FeedParams(host_interval_s=1.0), clock=time.clock, sleep=time.sleep)
    polite.get(site.url("/news/library.html"))
    polite.get(site.url("/news/water-main.html"), Validators())
    assert time.slept == [1.0, 1.0]  # robots.txt, then each page a second after the last request

    site.routes["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 3\n", content_type="text/plain")
    time = FakeTime()
    slower = Fetcher(client, FeedParams(host_interval_s=1.0), clock=time.clock, sleep=time.sleep)
    slower.get(site.url("/news/library.html"))
    slower.get(site.url("/news/water-main.html"))
    assert time.slept == [3.0, 3.0]
