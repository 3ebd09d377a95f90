"""What the index keeps about feeds and pages between refreshes, and what a refresh reports."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from ..models import IngestReport, SkipReason


class Validators(BaseModel):
    """What a server said identifies the version it sent (sent back in a conditional request)."""

    model_config = ConfigDict(frozen=True)

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class ListedPage(BaseModel):
    """An article page as a feed or sitemap lists it."""

    model_config = ConfigDict(frozen=True)

    url: str
    published: dt.date | None = None


class FeedState(BaseModel):
    """A feed or sitemap as last read: its validators and the pages it listed."""

    model_config = ConfigDict(frozen=True)

    url: str
    validators: Validators = Validators()
    pages: list[ListedPage] = []
    children: list[str] = Field(default=[], description="The sitemaps a sitemap index listed.")
    checked: dt.datetime


class PageState(BaseModel):
    """An article page as last fetched: its validators, or why it failed (then fetched in full
    next time)."""

    model_config = ConfigDict(frozen=True)

    url: str
    validators: Validators = Validators()
    checked: dt.datetime
    error: str | None = None


class RefreshReport(BaseModel):
    """One refresh of the feeds: what was asked for, what changed, what failed and why."""

    feeds: int = Field(default=0, description="Feeds and sitemaps read.")
    fetched: int = Field(default=0, description="Article pages downloaded in full.")
    not_modified: int = Field(default=0, description="Pages the server said were unchanged (304).")
    ingest: IngestReport = IngestReport()
    failed: list[SkipReason] = Field(
        default=[], description="Feeds and pages that failed; tried again next time."
    )
    finished: dt.datetime | None = None

    def summary(self) -> str:
        """One line, for /stats and the log."""
        i = self.ingest
        return (
            f"{self.feeds} feeds, {self.fetched} pages fetched, {self.not_modified} unchanged (304), "
            f"added {len(i.added)}, updated {len(i.updated)}, failed {len(self.failed)}"
        )
