"""Feeds in `newsbot serve`, end to end: the real discord.py client against the fake Discord and
a news site on 127.0.0.1. A scheduled refresh runs while questions are answered, an article
published on the feed meanwhile is cited by the next answer, admins refresh on demand and read
the coverage report, and /stats shows the last refresh."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.discord_bot.client import NewsBot
from bot.settings import Settings
from index import Engine, EngineParams
from index.feeds.fetch import http_client
from tests.bot.discord_bot.fake_discord import FakeDiscord
from tests.bot.discord_bot.fake_discord.markdown import displayed
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION
from tests.fixtures.news_site import NewsSite, Route, serve_site
from tests.fixtures.riverton import FERRY, GOOD, page, publish_feed
from tests.index.feeds.conftest import FEED_PARAMS

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

FEED = "/feed.xml"
HELD = "/news/held.html"  # a page whose answer waits for the test: the refresh is under way
FERRY_PATH = "/news/ferry.html"
FERRY_QUESTION = "How often will the Riverton ferry run during the summer?"


@pytest.fixture
def site() -> Iterator[NewsSite]:
    site = NewsSite()
    server = serve_site(site)
    next(server)
    site.routes["/robots.txt"] = Route(b"", status=404)
    title, paragraphs = GOOD["/news/library.html"]
    site.routes[HELD] = page(title, paragraphs, etag='"held"')
    publish_feed(site, [HELD], etag='"feed-v1"')
    yield site
    server.close()


@pytest.fixture
def engine_params(engine_params: EngineParams) -> EngineParams:
    """The bot's engine polite to the loopback site without waiting between requests."""
    return engine_params.model_copy(update={"feeds": FEED_PARAMS})


@pytest.fixture
def feeds_client() -> Iterator[httpx.Client]:
    with http_client(FEED_PARAMS, trust_env=False) as client:
        yield client


@pytest.fixture
async def start_bot(fake: FakeDiscord, settings: Settings, engine: Engine, feeds_client) -> AsyncIterator:
    """As tests/bot/discord_bot/conftest.py's, with the loopback client for the feeds."""
    bots: list[tuple[NewsBot, asyncio.Task]] = []

    async def start(**overrides) -> NewsBot:
        bot = NewsBot(
            settings=settings.model_copy(update=overrides),
            engine=engine,
            feeds_client=feeds_client,
            guild_ready_timeout=0.01,
        )
        task = asyncio.create_task(bot.start(fake.token))
        bots.append((bot, task))
        ready = asyncio.create_task(bot.wait_until_ready())
        await asyncio.wait([task, ready], timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()
        assert ready.done(), "the bot never became ready"
        return bot

    yield start
    for bot, task in bots:
        await bot.close()
        await asyncio.wait_for(task, 5)


async def until(predicate, timeout: float = 10.0) -> None:
    """Polls `predicate` (the site and the engine change outside the fake Discord)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def ask(fake: FakeDiscord, question: str) -> dict:
    user = fake.add_user("reporter")
    return await fake.response(await fake.slash(user, fake.general_id, "ask", question=question))


async def admin_says(fake: FakeDiscord, command: str) -> dict:
    return await fake.response(
        await fake.slash(fake.add_user("editor", admin=True), fake.general_id, command)
    )


async def test_a_refresh_runs_while_questions_are_answered_and_the_next_answer_cites_what_it_added(
    fake: FakeDiscord, start_bot, site: NewsSite, engine: Engine
) -> None:
    held = threading.Event()
    site.routes[HELD].hold = held
    await start_bot(feeds=[site.url(FEED)], refresh_minutes=0.005)
    await until(lambda: site.asked(HELD))  # the first refresh waits on the held page

    answer = await ask(fake, CARJACKING_QUESTION)
    assert "2,098" in answer["embeds"][0]["description"]
    assert not held.is_set() and engine.stats().last_refresh is None  # answered mid-refresh

    title, paragraphs = "Ferry to run every 20 minutes this summer", FERRY
    site.routes[FERRY_PATH] = page(title, paragraphs, etag='"ferry"')
    publish_feed(site, [HELD, FERRY_PATH], etag='"feed-v2"')
    held.set()
    await until(lambda: engine.article(site.url(FERRY_PATH)) is not None)

    answer = await ask(fake, FERRY_QUESTION)
    shown = answer["embeds"][0]["description"]
    assert "The Riverton ferry will run every **20 minutes** during the summer" in shown
    assert site.url(FERRY_PATH) in answer["embeds"][0]["fields"][0]["value"]


async def test_admins_refresh_on_demand_and_stats_shows_the_last_refresh(
    fake: FakeDiscord, start_bot, site: NewsSite
) -> None:
    await start_bot(feeds=[site.url(FEED)])
    never = (await fake.response(await fake.slash(fake.add_user("r"), fake.general_id, "stats")))["embeds"][0]
    assert {"name": "Last refresh", "value": "never", "inline": True} in never["fields"]
    assert not site.requests, "no schedule configured: nothing fetched before /refresh"

    refused = await fake.response(await fake.slash(fake.add_user("reporter"), fake.general_id, "refresh"))
    assert "admin" in refused["content"] and not site.requests

    done = (await admin_says(fake, "refresh"))["embeds"][0]
    assert done["title"] == "Feeds refreshed" and "added 1" in displayed([done])
    stats = (await fake.response(await fake.slash(fake.add_user("r"), fake.general_id, "stats")))["embeds"][0]
    last = next(f["value"] for f in stats["fields"] if f["name"] == "Last refresh")
    assert "added 1" in displayed([{"description": last}])


async def test_a_second_refresh_while_one_runs_is_refused(
    fake: FakeDiscord, start_bot, site: NewsSite
) -> None:
    held = threading.Event()
    site.routes[HELD].hold = held
    await start_bot(feeds=[site.url(FEED)], refresh_minutes=60)
    await until(lambda: site.asked(HELD))

    busy = await admin_says(fake, "refresh")
    assert "already running" in busy["content"]
    held.set()


async def test_the_report_groups_the_questions_the_bot_could_not_answer(
    fake: FakeDiscord, start_bot, engine: Engine
) -> None:
    await start_bot()
    for question in ("pool opening hours summer", "pool opening hours weekend", "snow plow street schedule"):
        answer = await ask(fake, question)
        assert "Not in the archive" in answer["embeds"][0]["description"]

    with engine.snapshot() as store:
        kept = store.abstentions()
    assert [len(user) for _, user, _ in kept] == [64] * 3, "user ids kept only as sha256 hashes"
    assert not {str(u) for u in fake.users} & {user for _, user, _ in kept}

    report = displayed([(await admin_says(fake, "report"))["embeds"][0]])
    assert "3 questions" in report
    assert report.index("(2 asked)") < report.index("(1 asked)")
    assert "snow plow street schedule" in report


async def test_the_report_is_posted_to_the_configured_channel_on_its_schedule(
    fake: FakeDiscord, start_bot, engine: Engine
) -> None:
    for question in ("pool opening hours summer", "pool opening hours weekend"):
        engine.record_abstention(user_hash="u", question=question)
    await start_bot(report_channel_id=fake.newsroom_id, report_days=0.2 / 86_400)

    posts = await fake.wait_for(lambda: fake.bot_messages(fake.newsroom_id))
    embed = posts[0]["embeds"][0]
    assert embed["title"] == "Coverage gaps: what the archive could not answer"
    assert "(2 asked)" in displayed([embed])


async def test_with_question_logging_off_no_unanswered_question_is_kept(
    fake: FakeDiscord, start_bot, engine: Engine
) -> None:
    await start_bot(log_questions=False)
    answer = await ask(fake, "pool opening hours summer")
    assert "Not in the archive" in answer["embeds"][0]["description"]
    assert engine.coverage_gaps().questions == 0
