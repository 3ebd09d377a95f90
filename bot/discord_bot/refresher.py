"""The configured feeds refreshed in the background every NEWSBOT_REFRESH_MINUTES and when an
admin asks, one refresh at a time; answers meanwhile come from the last committed generation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import httpx

from index import RefreshReport, UserError

from .archive import Archive

log = logging.getLogger(__name__)

NO_FEEDS = "No feeds are configured: set NEWSBOT_FEEDS (comma-separated feed or sitemap URLs)."
BUSY = "A refresh is already running; /stats shows its summary once it ends."


class Refresher:
    def __init__(self, archive: Archive, feeds: Sequence[str], client: httpx.Client | None, minutes: float):
        self._archive = archive
        self._feeds = list(feeds)
        self._client = client
        self._minutes = minutes
        self._running = asyncio.Lock()

    @property
    def scheduled(self) -> bool:
        return bool(self._minutes and self._feeds and self._client is not None)

    async def refresh(self) -> RefreshReport:
        """One refresh now; UserError when there are no feeds or one is already running."""
        if not self._feeds or self._client is None:
            raise UserError(NO_FEEDS)
        if self._running.locked():
            raise UserError(BUSY)
        async with self._running:
            report = await self._archive.refresh(self._feeds, self._client)
        log.info("refresh: %s", report.summary())
        for failure in report.failed:
            log.info("refresh failed %s: %s", failure.source, failure.reason)
        return report

    async def run(self) -> None:
        """Refreshes at once, then every `minutes`, until cancelled. A refresh that fails is
        logged and the schedule goes on."""
        while True:
            try:
                await self.refresh()
            except UserError as exc:
                log.info("scheduled refresh skipped: %s", exc)
            except Exception:
                log.exception("scheduled refresh failed")
            await asyncio.sleep(self._minutes * 60)
