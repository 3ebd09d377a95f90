"""What a feed or sitemap lists, from its bytes: RSS, Atom, sitemaps (gzipped too) and sitemap
indexes; entity declarations and bytes that are neither are refused with a reason."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from index.feeds.listing import BadListing, read_listing
from tests.fixtures.news_site import rss, sitemap, sitemap_index

BASE = "http://riverton.test/feed"


def test_an_rss_feed_lists_its_links_with_their_dates():
    listing = read_listing(rss([("Library", "http://riverton.test/a")]), BASE, limit=10_000)
    assert [(p.url, p.published) for p in listing.pages] == [("http://riverton.test/a", dt.date(2024, 3, 5))]


def test_an_atom_feed_lists_its_entries_relative_links_resolved():
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Ledger</title>'
        b'<entry><title>Ferry</title><link href="/news/ferry.html"/><updated>2024-03-07T10:00:00Z</updated>'
        b"</entry></feed>"
    )
    listing = read_listing(atom, "http://riverton.test/atom.xml", limit=10_000)
    assert [(p.url, p.published) for p in listing.pages] == [
        ("http://riverton.test/news/ferry.html", dt.date(2024, 3, 7))
    ]


def test_a_sitemap_lists_its_locations_and_a_gzipped_one_the_same():
    raw = sitemap(["http://riverton.test/a", "http://riverton.test/b"])
    for body in (raw, gzip.compress(raw)):
        listing = read_listing(body, BASE, limit=10_000)
        assert [p.url for p in listing.pages] == ["http://riverton.test/a", "http://riverton.test/b"]
        assert listing.pages[0].published == dt.date(2024, 3, 6)


def test_a_sitemap_index_lists_its_sitemaps():
    listing = read_listing(sitemap_index(["http://riverton.test/s1.xml"]), BASE, limit=10_000)
    assert listing.sitemaps == ["http://riverton.test/s1.xml"] and listing.pages == []


def test_entity_declarations_are_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&b;</loc></url></urlset>'
    )
    with pytest.raises(BadListing, match="entities"):
        read_listing(bomb, BASE, limit=10_000)


def test_a_gzip_bomb_is_cut_at_the_limit():
    with pytest.raises(BadListing, match="over 10,000 bytes"):
        read_listing(gzip.compress(b" " * 1_000_000), BASE, limit=10_000)


def test_a_page_that_is_neither_feed_nor_sitemap_is_refused():
    with pytest.raises(BadListing, match="neither a feed nor a sitemap"):
        read_listing(b"<html><body><p>Hello</p></body></html>", BASE, limit=10_000)
