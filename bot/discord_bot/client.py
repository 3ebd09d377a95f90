"""The Discord client: wires the commands, message handling and their dependencies together."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
import httpx
from discord import app_commands

from index import Engine

from ..settings import Settings
from .archive import Archive
from .commands import build_commands
from .conversations import Conversations
from .cooldown import Cooldown
from .failures import NO_PINGS, report
from .identity import make_salt
from .messages import MessageQuestions
from .refresher import Refresher
from .report_poster import ReportPoster

log = logging.getLogger(__name__)


def intents_for(settings: Settings) -> discord.Intents:
    """Only what the bot uses: guilds (channels, threads, roles), guild messages and DMs."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = settings.message_content_intent
    return intents


class NewsBot(discord.Client):
    def __init__(
        self, *, settings: Settings, engine: Engine, feeds_client: httpx.Client | None = None, **options: Any
    ) -> None:
        """`feeds_client` fetches the feeds (none: no refresh); `options` go to discord.Client
        (tests shorten `guild_ready_timeout`)."""
        super().__init__(intents=intents_for(settings), allowed_mentions=NO_PINGS, **options)
        self._settings = settings
        self.tree = app_commands.CommandTree(self)
        self.tree.error(report)
        cooldown = Cooldown(settings.cooldown_seconds)
        self._archive = Archive(
            engine,
            salt=make_salt(settings.user_hash_salt.get_secret_value()),
            log_questions=settings.log_questions,
        )
        self._refresher = Refresher(self._archive, settings.feeds, feeds_client, settings.refresh_minutes)
        self._poster = ReportPoster(
            self._archive,
            lambda: self.get_channel(settings.report_channel_id) if settings.report_channel_id else None,
            settings.report_days,
        )
        self._scheduled: list[asyncio.Task] = []
        self._commands = build_commands(
            archive=self._archive, settings=settings, cooldown=cooldown, refresher=self._refresher
        )
        self._messages = MessageQuestions(
            archive=self._archive,
            newsroom_channel_ids=settings.newsroom_channel_ids,
            cooldown=cooldown,
            conversations=Conversations(settings.conversation_memory),
        )

    async def setup_hook(self) -> None:
        for command in self._commands:
            self.tree.add_command(command)
        # Guild commands appear at once (development); global ones can take a while to show.
        if self._settings.guild_ids:
            for guild_id in self._settings.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()
        log.info("slash commands synced to %s", self._settings.guild_ids or "all guilds (global)")
        if self._refresher.scheduled:
            self._scheduled.append(asyncio.create_task(self._refresher.run(), name="newsbot-refresh"))
        if self._settings.report_channel_id:
            self._scheduled.append(asyncio.create_task(self._poster.run(), name="newsbot-report"))

    async def close(self) -> None:
        for task in self._scheduled:
            task.cancel()
        await super().close()

    async def on_ready(self) -> None:
        log.info(
            "connected as %s (id %s) to %d guilds",
            self.user,
            self.user and self.user.id,
            len(self.guilds),
        )

    async def stop(self, grace: float) -> None:
        """Stops taking questions, lets those in flight send their answers (for up to `grace`
        seconds), then disconnects."""
        log.info("stopping: finishing %d answers in flight", self._archive.in_flight)
        unfinished = await self._archive.drain(grace)
        if unfinished:
            log.warning("stopping with %d answers unfinished after %s s", unfinished, grace)
        await self.close()

    async def on_message(self, message: discord.Message) -> None:
        if self.user is None:
            return
        try:
            await self._messages.handle(message, self.user.id)
        except Exception:
            log.exception("failed to answer message %s", message.id)


class ShardedNewsBot(NewsBot, discord.AutoShardedClient):
    """The same bot over several gateway connections: discord.py routes each guild's events by
    its shard, so nothing of the bot's own changes."""


def newsbot_for(
    settings: Settings, engine: Engine, feeds_client: httpx.Client | None = None, **options: Any
) -> NewsBot:
    """The bot NEWSBOT_SHARDS asks for: unset, one connection; `auto`, the shard count Discord
    recommends (GET /gateway/bot at start); a number, that many shards."""
    if settings.shards is None:
        return NewsBot(settings=settings, engine=engine, feeds_client=feeds_client, **options)
    shard_count = None if settings.shards == "auto" else settings.shards
    return ShardedNewsBot(
        settings=settings, engine=engine, feeds_client=feeds_client, shard_count=shard_count, **options
    )
