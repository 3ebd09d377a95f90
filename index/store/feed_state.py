"""The feed and page states of the last refresh in the index database (index/feeds/records.py),
each row one state as JSON."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..feeds.records import FeedState, PageState


def read(db: sqlite3.Connection) -> tuple[dict[str, FeedState], dict[str, PageState]]:
    feeds = {
        url: FeedState.model_validate_json(raw)
        for url, raw in db.execute("SELECT url, state FROM feed_state")
    }
    pages = {
        url: PageState.model_validate_json(raw)
        for url, raw in db.execute("SELECT url, state FROM page_state")
    }
    return feeds, pages


def write(db: sqlite3.Connection, feeds: Sequence[FeedState], pages: Sequence[PageState]) -> None:
    """Replaces the states of these feeds and pages (inside the caller's write transaction)."""
    upsert = "INSERT INTO {}(url, state) VALUES(?, ?) ON CONFLICT(url) DO UPDATE SET state = excluded.state"
    db.executemany(upsert.format("feed_state"), [(f.url, f.model_dump_json()) for f in feeds])
    db.executemany(upsert.format("page_state"), [(p.url, p.model_dump_json()) for p in pages])
