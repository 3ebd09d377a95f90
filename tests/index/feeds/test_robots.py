"""robots.txt as RFC 9309 reads it: its rules when served, no rules when missing (4xx), and
nothing allowed while the host fails (5xx)."""

from __future__ import annotations

import pytest

from index.feeds.robots import RobotsUnavailable, rules_for


def test_served_rules_are_obeyed_for_our_agent():
    rules = rules_for(200, b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n")
    assert not rules.can_fetch("newsbot", "http://a.test/private/memo.html")
    assert rules.can_fetch("newsbot", "http://a.test/news/a.html")
    assert rules.crawl_delay("newsbot") == 2


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_a_missing_robots_txt_allows_everything(status):
    assert rules_for(status, b"").can_fetch("newsbot", "http://a.test/private/memo.html")


def test_a_failing_host_allows_nothing_for_now():
    with pytest.raises(RobotsUnavailable, match="503"):
        rules_for(503, b"")
