"""The coverage report posted to a channel every NEWSBOT_REPORT_DAYS of running, the first that
long after the bot starts (a restart starts the wait again)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import discord

from .archive import Archive
from .failures import NO_PINGS
from .reports import render_gaps

log = logging.getLogger(__name__)


class ReportPoster:
    def __init__(self, archive: Archive, channel: Callable[[], object], days: float):
        """`channel()` gives the channel to post to when it is time (None or another kind of
        channel: the post is skipped with a warning)."""
        self._archive = archive
        self._channel = channel
        self._days = days

    async def post(self) -> None:
        channel = self._channel()
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("the coverage report channel is not a text channel the bot can see: not posted")
            return
        gaps = await self._archive.coverage_gaps()
        await channel.send(embed=render_gaps(gaps).embed, allowed_mentions=NO_PINGS)
        log.info("coverage report posted: %d topics of %d questions", len(gaps.topics), gaps.questions)

    async def run(self) -> None:
        """Posts every `days` until cancelled; each post is a task of its own, so that stopping
        the bot lets one under way go out (Archive counts it in flight)."""
        while True:
            await asyncio.sleep(self._days * 86_400)
            try:
                await asyncio.create_task(self.post())
            except Exception:
                log.exception("posting the coverage report failed")
