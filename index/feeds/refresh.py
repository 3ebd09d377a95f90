"""One refresh's network part: read each feed or sitemap, then fetch each page it lists that is
new or changed. Nothing here writes to the index; failures are collected, never raised."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from ..ingest.corpus import BadArticle
from ..models import Article, SkipReason
from ..params import FeedParams
from .extract import page_article
from .fetch import HTML_TYPES, Fetcher, FetchFailed
from .listing import BadListing, read_listing
from .records import FeedState, ListedPage, PageState, Validators

log = logging.getLogger(__name__)


@dataclass
class Collected:
    articles: list[Article] = field(default_factory=list)
    feeds: list[FeedState] = field(default_factory=list)
    pages: list[PageState] = field(default_factory=list)
    failed: list[SkipReason] = field(default_factory=list)
    feeds_read: int = 0
    fetched: int = 0
    not_modified: int = 0


class _Run:
    def __init__(
        self,
        fetcher: Fetcher,
        params: FeedParams,
        known_feeds: Mapping[str, FeedState],
        known_pages: Mapping[str, PageState],
        stored: Collection[str],
        now: dt.datetime,
    ):
        self.fetcher = fetcher
        self.params = params
        self.known_feeds = known_feeds
        self.known_pages = known_pages
        self.stored = stored
        self.now = now
        self.out = Collected()
        self.seen: set[str] = set()

    def listing(self, url: str, *, nested: bool) -> list[ListedPage]:
        """The pages `url` lists (a sitemap index: its sitemaps' pages), from the last reading
        when the server answers 304. Raises FetchFailed or BadListing."""
        known = self.known_feeds.get(url)
        fetched = self.fetcher.get(url, known.validators if known else Validators())
        self.out.feeds_read += 1
        if fetched is None and known is not None:
            state = known.model_copy(update={"checked": self.now})
        else:
            if fetched is None:  # 304 to a request that named no version: a broken server
                raise FetchFailed("HTTP 304 to an unconditional request")
            listing = read_listing(fetched.body, fetched.url, limit=self.params.max_page_bytes)
            state = FeedState(
                url=url,
                validators=fetched.validators,
                pages=listing.pages[: self.params.max_pages],
                children=[] if nested else listing.sitemaps[: self.params.max_sitemaps],
                checked=self.now,
            )
        self.out.feeds.append(state)
        pages = list(state.pages)
        for child in state.children:
            try:
                pages += self.listing(child, nested=True)
            except (FetchFailed, BadListing) as exc:
                self.out.failed.append(SkipReason(source=child, reason=str(exc)))
        return pages[: self.params.max_pages]

    def fail(self, url: str, reason: str) -> None:
        self.out.failed.append(SkipReason(source=url, reason=reason))
        self.out.pages.append(PageState(url=url, checked=self.now, error=reason))

    def page(self, listed: ListedPage) -> None:
        known = self.known_pages.get(listed.url)
        # Validators only for a page whose article the index holds: a 304 must not leave it out.
        current = known is not None and known.error is None and listed.url in self.stored
        try:
            fetched = self.fetcher.get(
                listed.url, known.validators if known and current else Validators(), types=HTML_TYPES
            )
            if fetched is None:
                if known is None or not current:
                    raise FetchFailed("HTTP 304 to an unconditional request")
                self.out.not_modified += 1
                self.out.pages.append(known.model_copy(update={"checked": self.now}))
                return
            self.out.fetched += 1
            article = page_article(fetched, listed)
        except (FetchFailed, BadArticle) as exc:
            self.fail(listed.url, str(exc))
            return
        except Exception as exc:  # a bug in extraction: logged, and the other pages go on
            log.exception("reading the article at %s failed", listed.url)
            self.fail(listed.url, f"could not read the page ({type(exc).__name__}; see the log)")
            return
        self.out.articles.append(article)
        self.out.pages.append(PageState(url=listed.url, validators=fetched.validators, checked=self.now))


def collect(
    feeds: Sequence[str],
    fetcher: Fetcher,
    params: FeedParams,
    *,
    known_feeds: Mapping[str, FeedState],
    known_pages: Mapping[str, PageState],
    stored: Collection[str],
    now: dt.datetime,
) -> Collected:
    """The new and changed articles of `feeds` and the state to keep. `stored`: the article ids
    the index holds. A page listed twice (by a feed and a sitemap) is fetched once."""
    run = _Run(fetcher, params, known_feeds, known_pages, stored, now)
    for url in dict.fromkeys(feeds):
        try:
            listed = run.listing(url, nested=False)
        except (FetchFailed, BadListing) as exc:
            run.out.failed.append(SkipReason(source=url, reason=str(exc)))
            continue
        for page in listed:
            if page.url not in run.seen:
                run.seen.add(page.url)
                run.page(page)
    return run.out
