"""Fixtures for the bot's tests: small test articles, a real Engine over them (HashingEncoder),
a fake Discord on 127.0.0.1, and the real discord.py client running the bot against it."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import discord
import pytest

from bot.chat.client import NewsBot
from bot.settings import Settings
from fake_discord import FakeDiscord
from index.encoder import HashingEncoder
from index.engine import Engine

ARTICLES = {
    "carjackings-2021.md": """\
        ---
        title: "Chicago carjackings reached a record in 2021"
        url: https://news.example/2022/01/carjackings-2021
        published: 2022-01-05
        outlet: Example Tribune
        ---
        In 2021, Chicago saw nearly 2,098 carjackings, according to the Cook County Sheriff's Office.

        The sheriff said carjackings were the highest in two decades.
        """,
    "carjackings-2022.md": """\
        ---
        title: "Carjackings keep rising in 2022"
        url: https://news.example/2022/05/carjackings-2022
        published: 2022-05-03
        outlet: Example Sun
        ---
        In 2022, Chicago saw more than 500 carjackings between January and April, police said.
        """,
    "budget-memo.md": """\
        ---
        title: "Desk memo: newsroom budget"
        url: https://intranet.example/memos/budget
        published: 2022-02-01
        outlet: Newsroom memo
        visibility: internal
        ---
        The newsroom budget for 2022 is 4,512,000 dollars, the finance desk said.
        """,
}
CARJACKING_QUESTION = "how many carjackings in 2021?"
INTERNAL_QUESTION = "what is the newsroom budget for 2022?"
LONG_QUESTION = "zeppelin hangar airship crews"


def long_article() -> str:
    """Oversized title, outlet and URL, and eight sentences of ~1,500 characters each."""
    words = "zeppelin hangar mooring mast airship crew envelope gondola ballast hydrogen".split()
    rng = random.Random(1)
    sentences = [
        f"The zeppelin hangar held airship crews in {1930 + k}: "
        + ", ".join(f"{rng.choice(words)} {i}" for i in range(k * 150, k * 150 + 150))
        + "."
        for k in range(8)
    ]
    title = ("Zeppelin " + "very long title " * 40).strip()
    outlet = ("The Long Outlet " * 20).strip()
    return (
        f'---\ntitle: "{title}"\nurl: https://news.example/zeppelin/{"x" * 300}\n'
        f'published: 2020-06-01\noutlet: "{outlet}"\n---\n{" ".join(sentences)}\n'
    )


def write_articles(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ARTICLES.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (directory / "zeppelin.md").write_text(long_article(), encoding="utf-8")
    return directory


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
def engine(index_dir: Path):
    engine = Engine.open(index_dir, HashingEncoder())
    yield engine
    engine.close()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment: keep the developer's NEWSBOT_* variables out of tests."""
    for name in list(os.environ):
        if name.startswith("NEWSBOT_"):
            monkeypatch.delenv(name)


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
        bot = NewsBot(settings=settings.model_copy(update=overrides), engine=engine, guild_ready_timeout=0.01)
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
