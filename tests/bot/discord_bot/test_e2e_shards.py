"""NEWSBOT_SHARDS: the same bot over several gateway connections (discord.py's
AutoShardedClient), against the fake Discord, which sends each guild's events only to the
shard that owns it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import discord
import pytest

from bot.cli import main
from bot.discord_bot.client import NewsBot, ShardedNewsBot
from tests.bot.discord_bot.fake_discord import FakeDiscord
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION, INTERNAL_QUESTION

GATEWAY_BOT = ("GET", "/api/v10/gateway/bot", 200)


@pytest.fixture(autouse=True)
def identify_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py waits 5 s before each shard's IDENTIFY after the first, as Discord allows one
    every 5 s; the fake does not limit them, so these tests do not wait (the sharded
    `newsbot serve` test in test_e2e_graceful_stop.py keeps the wait)."""

    async def at_once(self: ShardedNewsBot, shard_id: int | None, *, initial: bool = False) -> None:
        return None

    monkeypatch.setattr(ShardedNewsBot, "before_identify_hook", at_once)


async def every_shard_connected(fake: FakeDiscord, bot: NewsBot, guilds: int) -> None:
    """discord.py says ready once the shards connected so far are: later shards may still be
    identifying, their guilds on their way."""
    await fake.wait_until_ready()  # every shard has identified

    async def arrived() -> None:
        while len(bot.guilds) < guilds:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(arrived(), 10)


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_without_shards_the_bot_keeps_one_unsharded_connection(fake: FakeDiscord, start_bot) -> None:
    bot = await start_bot()
    assert not isinstance(bot, discord.AutoShardedClient)
    assert fake.identified_shards == [None] and GATEWAY_BOT not in fake.requests


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_two_shards_answer_in_guilds_on_either_shard_and_in_dms(fake: FakeDiscord, start_bot) -> None:
    own_shard = (fake.guild_id >> 22) % 2
    other_guild, other_channel = fake.add_guild("Metro desk", shard=(1 - own_shard, 2))
    bot = await start_bot(shards=2)
    await every_shard_connected(fake, bot, 2)
    assert sorted(fake.identified_shards) == [[0, 2], [1, 2]]
    assert GATEWAY_BOT not in fake.requests  # a count given is not asked for
    assert {bot.get_guild(fake.guild_id).shard_id, bot.get_guild(other_guild).shard_id} == {0, 1}

    user = fake.add_user("reporter")
    for channel in (fake.general_id, other_channel, fake.dm_channel(user)):
        answer = await fake.response(await fake.slash(user, channel, "ask", question=CARJACKING_QUESTION))
        assert "2,098" in answer["embeds"][0]["description"]
    # A DM on shard 0 still never cites internal articles.
    private = await fake.response(
        await fake.slash(user, fake.dm_channel(user), "ask", question=INTERNAL_QUESTION)
    )
    assert "Not in the archive" in private["embeds"][0]["description"]


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_auto_runs_as_many_shards_as_discord_recommends(fake: FakeDiscord, start_bot) -> None:
    fake.recommended_shards = 3
    bot = await start_bot(shards="auto")
    await every_shard_connected(fake, bot, 1)
    assert GATEWAY_BOT in fake.requests
    assert bot.shard_count == 3 and sorted(fake.identified_shards) == [[0, 3], [1, 3], [2, 3]]
    user = fake.add_user("reporter")
    answer = await fake.response(await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION))
    assert "2,098" in answer["embeds"][0]["description"]


@pytest.mark.parametrize("value", ["two", "0", "1.5"])
def test_a_bad_shard_count_stops_serve_at_start_naming_the_setting(
    value: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clean_env: None,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    monkeypatch.setenv("NEWSBOT_DISCORD_TOKEN", "token")
    monkeypatch.setenv("NEWSBOT_SHARDS", value)
    assert main(["serve", "--index-dir", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "NEWSBOT_SHARDS" in error and "`auto` or a whole number" in error
