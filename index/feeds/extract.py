"""An article page's main text, title, author and date, read by trafilatura."""

from __future__ import annotations

import logging

import trafilatura

from ..ingest.corpus import BadArticle, build_article
from ..models import Article
from .fetch import Fetched
from .records import ListedPage

log = logging.getLogger(__name__)


def _without_title(text: str, title: str) -> str:
    """trafilatura keeps the headline as the first line: the title is stored apart."""
    first, newline, rest = text.partition("\n")
    return rest if newline and title and first.strip() == title.strip() else text


def page_article(page: Fetched, listed: ListedPage) -> Article:
    """The article on `page`, identified by the address the feed listed. Raises BadArticle
    (no article text, or text the corpus rules refuse)."""
    document = trafilatura.bare_extraction(
        page.body, url=page.url, with_metadata=True, favor_precision=True, include_comments=False
    )
    text = (document.text or "") if document is not None else ""
    if not text.strip():
        raise BadArticle("no article text found on the page")
    title = document.title or ""
    meta = {
        "title": title,
        "url": listed.url,
        "author": document.author,
        "outlet": document.sitename,
        "published": document.date or listed.published,
    }
    article, warnings = build_article(meta, _without_title(text, title), name=listed.url, source=listed.url)
    for warning in warnings:  # what it was stored without (an unreadable date)
        log.warning("%s: %s", listed.url, warning)
    return article
