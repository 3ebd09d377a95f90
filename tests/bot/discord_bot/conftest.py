"""Fixtures for the Discord bot's tests: small test articles, a real Engine over them (HashingEncoder),
a fake Discord on 127.0.0.1, and the real discord.py client running the bot against it."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import discord
import pytest

from bot.discord_bot.client import NewsBot, newsbot_for
from bot.settings import Settings
from index.engine import Engine
from index.params import EngineParams
from tests.bot.discord_bot.fake_discord import FakeDiscord
from tests.bot.discord_bot.newsroom_articles import write_articles
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.reranker import FAKE_MODEL_PARAMS, OverlapReranker


@pytest.fixture(scope="session")
def template_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once; each test gets its own copy to change."""
    root = tmp_path_factory.mktemp("template")
    index_dir = root / "index"
    engine = Engine.open(index_dir, HashingEncoder(), create=True)
    try:
        engine.ingest([write_articles(root / "corpus")])
    finally:
        engine.close()
    return index_dir


@pytest.fixture
def index_dir(template_index: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(template_index, tmp_path / "index"))


@pytest.fixture
def engine_params() -> EngineParams:
    """What the bot's engine runs with: the fake models' threshold (the calibrated one is a
    probability of the real models' scores), as in the engine's and the CLI's tests. A test module
    needing other knobs overrides this fixture."""
    return FAKE_MODEL_PARAMS


@pytest.fixture
def engine(index_dir: Path, engine_params: EngineParams):
    engine = Engine.open(index_dir, HashingEncoder(), reranker=OverlapReranker(), params=engine_params)
    yield engine
    engine.close()


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    # discord.py reads both at call time, so every request and the gateway go to the fake.
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", fake.gateway_url)
    yield fake
    await fake.stop()
    assert not fake.unhandled, f"the bot called routes the fake does not know: {fake.unhandled}"
    assert not fake.pings, f"the bot pinged someone: {fake.pings}"


@pytest.fixture
def settings(fake: FakeDiscord, index_dir: Path, clean_env: None) -> Settings:
    return Settings(
        _env_file=None,
        index_dir=index_dir,
        discord_token=fake.token,
        newsroom_channel_ids=[fake.newsroom_id],
        admin_role_ids=[fake.admin_role_id],
        cooldown_seconds=0,
    )


BotFactory = Callable[..., Awaitable[NewsBot]]


@pytest.fixture
async def start_bot(fake: FakeDiscord, settings: Settings, engine: Engine) -> AsyncIterator[BotFactory]:
    """Starts the bot (settings overridable) and waits until the fake has sent READY and the guild."""
    bots: list[tuple[NewsBot, asyncio.Task]] = []

    async def start(**overrides) -> NewsBot:
        # discord.py waits guild_ready_timeout after the last guild before "ready" (2 s by default).
        bot = newsbot_for(settings.model_copy(update=overrides), engine, guild_ready_timeout=0.01)
        task = asyncio.create_task(bot.start(fake.token))
        bots.append((bot, task))
        ready = asyncio.create_task(bot.wait_until_ready())
        await asyncio.wait([task, ready], timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()  # raises why the bot could not connect
        assert ready.done(), "the bot never became ready"
        return bot

    yield start
    for bot, task in bots:
        await bot.close()
        await asyncio.wait_for(task, 5)


@pytest.fixture
async def bot(start_bot: BotFactory) -> NewsBot:
    return await start_bot()
