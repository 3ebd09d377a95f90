"""The bot's security boundaries, end to end against the fake Discord: the token never reaches a
log or an error message, /ingest follows the roles of the moment, internal articles never leave
the newsroom, question logging can be switched off, user ids are never kept in clear, and
uploads are held to their limits."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.discord_bot.app import AUTHENTICATION_FAILED, run_bot
from bot.settings import Settings
from index.engine import Engine
from index.errors import UserError
from tests.bot.discord_bot.fake_discord import EPHEMERAL, FakeDiscord, FakeFile
from tests.bot.discord_bot.fake_discord.markdown import displayed
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION, INTERNAL_QUESTION, LONG_QUESTION
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.reranker import FAKE_MODEL_PARAMS, OverlapReranker

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

SECRET = "NEWSBOT-TEST-TOKEN." + "s3cr3t" * 10
# An internal memo that the long public question also finds: its pages are where a leak would hide.
INTERNAL_MEMO = b"""---
title: "Internal: zeppelin hangar lease"
url: https://intranet.example/memos/zeppelin
published: 2021-03-01
outlet: Newsroom memo
visibility: internal
---
The zeppelin hangar lease for airship crews costs 7,777,777 dollars, the memo said.
"""
# Found only in the internal articles (their figures, links and titles), never in a question.
INTERNAL_MARKS = [
    "intranet.example",
    "4,512,000",
    "7,777,777",
    "Desk memo: newsroom budget",
    "Internal: zeppelin hangar lease",
]


@pytest.fixture
def discord_log_level():
    """run_bot keeps discord.py's own logger at INFO; put it back for the other tests."""
    logger = logging.getLogger("discord")
    level = logger.level
    yield
    logger.setLevel(level)


@asynccontextmanager
async def serving(fake: FakeDiscord, settings: Settings, **overrides) -> AsyncIterator[asyncio.Task]:
    """`newsbot serve` (run_bot) in a thread with the recognisable token, until Discord ends the
    session as it does when the token is reset."""
    fake.token = SECRET
    settings = settings.model_copy(update={"discord_token": SecretStr(SECRET), **overrides})
    running = asyncio.ensure_future(
        asyncio.to_thread(run_bot, settings, HashingEncoder, OverlapReranker, params=FAKE_MODEL_PARAMS)
    )
    ready = asyncio.ensure_future(fake.wait_until_ready())
    await asyncio.wait([running, ready], timeout=10, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        running.result()
    assert ready.done(), "the bot never connected"
    try:
        yield running
    except BaseException:
        # A failing test ends the session too: the bot's thread would otherwise keep the test
        # run waiting for it, instead of reporting the failure.
        await fake.end_session(AUTHENTICATION_FAILED)
        await asyncio.wait([running], timeout=10)
        raise
    await fake.end_session(AUTHENTICATION_FAILED)
    with pytest.raises(UserError) as ended:
        await asyncio.wait_for(running, 10)
    assert str(ended.value).startswith("Discord rejected NEWSBOT_DISCORD_TOKEN")
    assert SECRET not in str(ended.value)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as a handler would write it, tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


async def test_the_token_never_reaches_a_log_or_an_error_message(
    fake: FakeDiscord,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    discord_log_level: None,
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = settings.model_copy(update={"discord_token": SecretStr(SECRET[::-1])})
    with pytest.raises(UserError, match="Discord rejected") as rejected:  # a rejected login
        await asyncio.to_thread(run_bot, wrong, HashingEncoder, OverlapReranker)
    assert SECRET[::-1] not in str(rejected.value)

    def broken(*args, **kwargs):
        raise RuntimeError("index on fire")

    monkeypatch.setattr(Engine, "search", broken)
    async with serving(fake, settings):
        user = fake.add_user("reporter")
        answered = await fake.response(
            await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION)
        )
        assert "2,098" in answered["embeds"][0]["description"]
        apology = await fake.response(await fake.slash(user, fake.general_id, "search", query="x"))
        assert apology["content"].startswith("Sorry")  # a bug: logged with its traceback
        fake.forbid_threads = True  # a refused request: logged with Discord's error
        await fake.send_message(user, fake.newsroom_id, CARJACKING_QUESTION, mention_bot=True)
        await fake.wait_for(lambda: fake.bot_messages(fake.newsroom_id))

    logged = everything_logged(caplog)
    assert "index on fire" in logged and "(error code: 50013)" in logged  # both paths were logged...
    assert SECRET not in logged and SECRET[::-1] not in logged  # ...and never the token


@pytest.mark.parametrize("log_questions", [True, False])
async def test_question_logging_can_be_switched_off_and_user_ids_are_never_kept_in_clear(
    fake: FakeDiscord,
    settings: Settings,
    index_dir: Path,
    caplog: pytest.LogCaptureFixture,
    discord_log_level: None,
    log_questions: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with serving(fake, settings, log_questions=log_questions):
        reporter, editor = fake.add_user("reporter"), fake.add_user("editor")
        answer = await fake.response(
            await fake.slash(reporter, fake.general_id, "ask", question=CARJACKING_QUESTION)
        )
        await fake.response(await fake.click(reporter, int(answer["id"]), "Helpful"))
        dm = fake.dm_channel(editor)
        await fake.send_message(editor, dm, INTERNAL_QUESTION)
        await fake.wait_for(lambda: fake.bot_messages(dm))

    logged = everything_logged(caplog)
    with sqlite3.connect(index_dir / "newsbot.sqlite3") as db:
        [(user_hash, question)] = db.execute("SELECT user_hash, question FROM feedback").fetchall()
    assert (CARJACKING_QUESTION in logged) is log_questions
    assert (INTERNAL_QUESTION in logged) is log_questions
    assert question == (CARJACKING_QUESTION if log_questions else None)
    for user_id in (reporter, editor):
        assert str(user_id) not in logged and str(user_id) not in user_hash


async def test_ingest_follows_the_roles_a_member_has_at_each_call(
    fake: FakeDiscord, bot, index_dir: Path
) -> None:
    member = fake.add_user("research desk")

    async def ingest(name: str) -> dict:
        article = f"---\nurl: https://news.example/{name}\n---\nIn 2023, {name} happened.\n"
        upload = FakeFile(f"{name}.md", article.encode())
        return await fake.response(await fake.slash(member, fake.general_id, "ingest", file=upload))

    refused = await ingest("before-the-role")
    fake.roles[member] = [fake.admin_role_id]  # granted
    accepted = await ingest("with-the-role")
    fake.roles[member] = []  # revoked again
    refused_again = await ingest("after-the-role")

    assert "admin" in refused["content"] and "admin" in refused_again["content"]
    assert accepted["embeds"][0]["description"].startswith("added 1")
    assert [p.name for p in (index_dir / "uploads").iterdir()] == ["with-the-role.md"]


async def every_page(fake: FakeDiscord, user: int, message: dict) -> list[dict]:
    """The message after each click of its paging button, until it comes back to the start."""
    pages, message_id = [], int(message["id"])
    for _ in range(10):
        current = fake.messages[message_id]
        pages.append({**current, "embeds": list(current["embeds"])})
        labels = [c["label"] for row in current["components"] for c in row["components"]]
        if labels[0] not in ("More sources", "First sources") or labels[0] == "First sources":
            return pages
        click = await fake.click(user, message_id, labels[0])
        await fake.wait_for(lambda click=click: click.response_type == 7)
    raise AssertionError("paging never ended")


async def test_internal_articles_never_leave_the_newsroom_by_any_path(
    fake: FakeDiscord, bot, engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "memo.md").write_bytes(INTERNAL_MEMO)
    engine.ingest([tmp_path / "memo.md"])
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)

    async def ask_everything(channel: int) -> list[dict]:
        """Every command, autocomplete, follow-up and button a reader can use in `channel`."""
        shown = []
        for question in (INTERNAL_QUESTION, LONG_QUESTION):
            for private in (False, True):
                answer = await fake.response(
                    await fake.slash(user, channel, "ask", question=question, private=private)
                )
                shown += await every_page(fake, user, answer)
        shown.append(
            await fake.response(await fake.slash(user, channel, "search", query="budget zeppelin hangar"))
        )
        shown.append(await fake.response(await fake.slash(user, channel, "figures", topic="dollars")))
        for title in ("https://intranet.example/memos/budget", "Desk memo", "Internal: zeppelin"):
            shown.append(await fake.response(await fake.slash(user, channel, "article", title=title)))
        typed = await fake.autocomplete(user, channel, "article", "title", "Desk")
        await fake.wait_for(lambda: typed.choices is not None)
        shown.append({"choices": typed.choices})
        return shown

    # In the newsroom, the same paths do show the internal articles: the checks below can fail.
    inside = displayed(await ask_everything(fake.newsroom_id))
    assert all(mark in inside for mark in INTERNAL_MARKS)

    shown = await ask_everything(fake.general_id) + await ask_everything(dm)
    for question in (INTERNAL_QUESTION, "and the lease?", LONG_QUESTION):
        before = len(fake.bot_messages(dm))
        await fake.send_message(user, dm, question)  # DM questions and their follow-ups
        [reply] = (
            await fake.wait_for(
                lambda before=before: len(fake.bot_messages(dm)) > before and fake.bot_messages(dm)
            )
        )[before:]
        shown += await every_page(fake, user, reply)
    await fake.send_message(user, fake.general_id, INTERNAL_QUESTION, mention_bot=True)  # ignored
    shown += [m for channel in (fake.general_id, dm) for m in fake.bot_messages(channel)]

    outside = displayed(shown)
    assert "2,098" in outside or "Not in the archive" in outside  # answers were given
    assert [m for m in shown if str(m.get("content") or "").startswith("Sorry")] == []  # not errors
    assert [mark for mark in INTERNAL_MARKS if mark in outside] == []


async def test_an_upload_with_too_many_articles_is_refused_before_anything_is_ingested(
    fake: FakeDiscord, start_bot, engine: Engine, index_dir: Path
) -> None:
    await start_bot(max_upload_articles=3)
    admin = fake.add_user("research desk", admin=True)
    lines = [f'{{"url": "https://news.example/{n}", "text": "In 2023, {n} happened."}}' for n in range(4)]
    before = engine.stats().articles

    refused = await fake.response(
        await fake.slash(
            admin, fake.general_id, "ingest", file=FakeFile("export.jsonl", "\n".join(lines).encode())
        )
    )
    assert refused["flags"] & EPHEMERAL
    assert "holds 4 articles" in refused["content"] and "at most 3" in refused["content"]
    assert engine.stats().articles == before and not (index_dir / "uploads").exists()

    accepted = await fake.response(
        await fake.slash(
            admin, fake.general_id, "ingest", file=FakeFile("export.jsonl", "\n".join(lines[:3]).encode())
        )
    )
    assert accepted["embeds"][0]["description"].startswith("added 3")
