"""The article pages a feed (RSS, Atom) or an XML sitemap lists, from the bytes served."""

from __future__ import annotations

import calendar
import datetime as dt
import gzip
import io
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .records import ListedPage

_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class BadListing(ValueError):
    """The message says why the bytes are neither a feed nor a sitemap."""


@dataclass
class Listing:
    pages: list[ListedPage] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index


def _ungzipped(body: bytes, limit: int) -> bytes:
    """A `.xml.gz` sitemap served as a file, decompressed up to `limit` bytes."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    try:
        data = gzip.GzipFile(fileobj=io.BytesIO(body)).read(limit + 1)
    except (OSError, EOFError) as exc:
        raise BadListing(f"broken gzip ({exc})") from None
    if len(data) > limit:
        raise BadListing(f"over {limit:,} bytes once decompressed")
    return data


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children_text(element: Element, name: str) -> list[tuple[str, str | None]]:
    """(loc, lastmod) of each `name` child (url or sitemap), namespaced or not."""
    found = []
    for child in element:
        if _local(child.tag) != name:
            continue
        values = {_local(c.tag): (c.text or "").strip() for c in child}
        if values.get("loc"):
            found.append((values["loc"], values.get("lastmod")))
    return found


def _sitemap(root: Element, base: str) -> Listing | None:
    kind = _local(root.tag)
    if kind == "urlset":
        return Listing(
            pages=[
                ListedPage(url=urljoin(base, loc), published=_date(mod))
                for loc, mod in _children_text(root, "url")
            ]
        )
    if kind == "sitemapindex":
        return Listing(sitemaps=[urljoin(base, loc) for loc, _ in _children_text(root, "sitemap")])
    return None


def _struct_date(value: time.struct_time | None) -> dt.date | None:
    return dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC).date() if value else None


def _feed(body: bytes, base: str) -> Listing:
    parsed = feedparser.parse(body, response_headers={"content-location": base})
    if not parsed.entries and (parsed.bozo or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        raise BadListing("neither a feed nor a sitemap" + (f" ({problem})" if problem else ""))
    pages = []
    for entry in parsed.entries:
        link = entry.get("link")
        if link:
            when = entry.get("published_parsed") or entry.get("updated_parsed")
            pages.append(ListedPage(url=urljoin(base, link), published=_struct_date(when)))
    return Listing(pages=pages)


def read_listing(body: bytes, base: str, *, limit: int) -> Listing:
    """The pages (or child sitemaps) listed in `body`, fetched from `base`. A sitemap is read by
    a parser that refuses entity declarations; anything else goes to feedparser."""
    body = _ungzipped(body, limit)
    try:
        root = fromstring(body)
    except DefusedXmlException:
        raise BadListing("declares XML entities, which are refused") from None
    except ParseError:
        root = None  # not well-formed XML: feedparser reads broken feeds too
    if root is not None:
        listing = _sitemap(root, base)
        if listing is not None:
            return listing
    return _feed(body, base)
