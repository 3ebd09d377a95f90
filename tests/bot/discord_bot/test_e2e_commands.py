"""Slash commands, end to end: the real discord.py client against the fake Discord."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from pathlib import Path

import pytest

from index.engine import Engine
from tests.bot.discord_bot.fake_discord import ACK_DEADLINE, EPHEMERAL, FakeDiscord, FakeFile
from tests.bot.discord_bot.fake_discord.markdown import displayed
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION, INTERNAL_QUESTION, LONG_QUESTION

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

NEW_ARTICLE = b"""---
title: "Bike thefts fell in 2023"
url: https://news.example/2024/01/bike-thefts
published: 2024-01-10
outlet: Example Tribune
---
In 2023, Chicago saw 1,234 bike thefts, according to police.
"""


def labels(message: dict) -> list[str]:
    return [c["label"] for row in message["components"] for c in row["components"]]


async def test_ask_public(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION)
    answer = await fake.response(interaction)

    assert interaction.response_type == 5  # deferred ("thinking…") before the engine ran
    assert not answer["flags"] & EPHEMERAL
    embed = answer["embeds"][0]
    assert embed["title"] == CARJACKING_QUESTION
    assert "2,098" in embed["description"]
    field = embed["fields"][0]
    assert field["name"] == "[1] Example Tribune · 2022-01-05 · covers 2021"
    assert "“In 2021, Chicago saw nearly 2,098 carjackings" in field["value"]
    assert (
        "[Chicago carjackings reached a record in 2021](https://news.example/2022/01/carjackings-2021)"
        in field["value"]
    )
    assert labels(answer) == ["Helpful", "Not helpful"]  # one source: nothing more to page


async def test_ask_private_is_ephemeral(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION, private=True)
    answer = await fake.response(interaction)
    assert answer["flags"] & EPHEMERAL
    assert "2,098" in answer["embeds"][0]["description"]


async def test_search_lists_articles_with_dates_and_links(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(user, fake.general_id, "search", query="carjackings Chicago")
    embed = (await fake.response(interaction))["embeds"][0]
    text = " ".join(f["name"] + f["value"] for f in embed["fields"])
    assert "Chicago carjackings reached a record in 2021" in text
    assert "2022-01-05" in text and "https://news.example/2022/01/carjackings-2021" in text
    assert "budget" not in text.lower()  # internal, and this is not a newsroom channel


async def test_article_autocomplete_then_details(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    typed = await fake.autocomplete(user, fake.general_id, "article", "title", "Chicago")
    await fake.wait_for(lambda: typed.choices is not None)
    assert [c["name"] for c in typed.choices] == ["Chicago carjackings reached a record in 2021"]

    interaction = await fake.slash(user, fake.general_id, "article", title=typed.choices[0]["value"])
    embed = (await fake.response(interaction))["embeds"][0]
    assert embed["title"] == "Chicago carjackings reached a record in 2021"
    assert embed["url"] == "https://news.example/2022/01/carjackings-2021"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Outlet"] == "Example Tribune" and fields["Published"] == "2022-01-05"


async def test_article_autocomplete_hides_internal_outside_newsroom(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    outside = await fake.autocomplete(user, fake.general_id, "article", "title", "Desk memo")
    inside = await fake.autocomplete(user, fake.newsroom_id, "article", "title", "Desk memo")
    await fake.wait_for(lambda: outside.choices is not None and inside.choices is not None)
    assert outside.choices == []
    assert [c["name"] for c in inside.choices] == ["Desk memo: newsroom budget"]

    shown = await fake.slash(user, fake.general_id, "article", title="https://intranet.example/memos/budget")
    refusal = await fake.response(shown)
    assert refusal["flags"] & EPHEMERAL and "No article" in refusal["content"]


async def test_stats_and_help(fake: FakeDiscord, bot, engine: Engine) -> None:
    user = fake.add_user("editor")
    stats = await fake.response(await fake.slash(user, fake.general_id, "stats"))
    fields = {f["name"]: f["value"] for f in stats["embeds"][0]["fields"]}
    expected = engine.stats()
    assert fields["Articles"].startswith(f"{expected.articles} (1 internal")
    assert fields["Chunks"] == str(expected.chunks)
    assert fields["Feedback"] == "0 helpful, 0 not helpful"
    assert fields["Last ingest"] != "never"

    help_ = await fake.response(await fake.slash(user, fake.general_id, "help"))
    assert help_["flags"] & EPHEMERAL and "/ask" in help_["embeds"][0]["description"]


async def test_ingest_by_admin(fake: FakeDiscord, bot, index_dir: Path) -> None:
    admin = fake.add_user("research desk", admin=True)
    upload = FakeFile("../../bike thefts.md", NEW_ARTICLE)
    reply = await fake.response(await fake.slash(admin, fake.general_id, "ingest", file=upload))

    assert reply["flags"] & EPHEMERAL
    assert reply["embeds"][0]["description"].startswith("added 1, updated 0, removed 0")
    assert [p.name for p in (index_dir / "uploads").iterdir()] == ["bike_thefts.md"]
    assert not (index_dir.parent / "bike thefts.md").exists()

    asked = await fake.slash(admin, fake.general_id, "ask", question="how many bike thefts in 2023?")
    assert "1,234" in (await fake.response(asked))["embeds"][0]["description"]


async def test_ingest_refused_for_non_admin(fake: FakeDiscord, bot, index_dir: Path, engine: Engine) -> None:
    before = engine.stats().articles
    user = fake.add_user("intern")
    reply = await fake.response(
        await fake.slash(user, fake.general_id, "ingest", file=FakeFile("a.md", NEW_ARTICLE))
    )
    assert reply["flags"] & EPHEMERAL
    assert "admin" in reply["content"]
    assert not (index_dir / "uploads").exists()
    assert engine.stats().articles == before


async def test_ingest_refuses_other_file_types(fake: FakeDiscord, bot, index_dir: Path) -> None:
    admin = fake.add_user("research desk", admin=True)
    reply = await fake.response(
        await fake.slash(admin, fake.general_id, "ingest", file=FakeFile("scan.pdf", b"%PDF-1.7"))
    )
    assert reply["flags"] & EPHEMERAL and ".md" in reply["content"]
    assert not (index_dir / "uploads").exists()


async def test_long_article_stays_within_limits_on_every_page(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    answer = await fake.response(await fake.slash(user, fake.general_id, "ask", question=LONG_QUESTION))
    message_id = int(answer["id"])
    seen = []
    while True:
        fields = fake.messages[message_id]["embeds"][0]["fields"]
        numbers = [int(f["name"].split("]")[0].lstrip("[")) for f in fields]
        if numbers[0] == 1 and seen:
            break
        seen += numbers
        click = await fake.click(user, message_id, labels(fake.messages[message_id])[0])
        await fake.wait_for(lambda click=click: click.response_type == 7)
    assert seen == list(range(1, len(seen) + 1)) and len(seen) > 4  # every source shown once, in order
    assert not fake.refusals  # Discord accepted every page


async def test_slow_engine_is_acknowledged_in_time(
    fake: FakeDiscord, bot, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask = engine.ask

    def slow_ask(*args, **kwargs):
        time.sleep(ACK_DEADLINE + 1)
        return ask(*args, **kwargs)

    monkeypatch.setattr(engine, "ask", slow_ask)
    user = fake.add_user("reporter")
    interaction = await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION)
    answer = await fake.response(interaction, timeout=15)
    assert interaction.acked_at - interaction.sent_at < 1.0
    assert "2,098" in answer["embeds"][0]["description"]


async def test_twenty_concurrent_asks_are_all_answered(fake: FakeDiscord, bot) -> None:
    users = [fake.add_user(f"reporter{i}") for i in range(20)]
    interactions = await asyncio.gather(
        *(fake.slash(u, fake.general_id, "ask", question=CARJACKING_QUESTION) for u in users)
    )
    answers = await asyncio.gather(*(fake.response(i, timeout=20) for i in interactions))
    assert all("2,098" in a["embeds"][0]["description"] for a in answers)
    assert all(i.acked_at - i.sent_at < ACK_DEADLINE for i in interactions)


async def test_feedback_buttons_are_recorded_hashed(
    fake: FakeDiscord, bot, engine: Engine, index_dir: Path
) -> None:
    reporter, editor = fake.add_user("reporter"), fake.add_user("editor")
    answer = await fake.response(
        await fake.slash(reporter, fake.general_id, "ask", question=CARJACKING_QUESTION)
    )
    message_id = int(answer["id"])

    thanks = await fake.response(await fake.click(reporter, message_id, "Helpful"))
    assert thanks["flags"] & EPHEMERAL and "Thanks" in thanks["content"]
    again = await fake.response(await fake.click(reporter, message_id, "Not helpful"))
    assert "already rated" in again["content"]
    await fake.response(await fake.click(editor, message_id, "Not helpful"))

    stats = engine.stats()
    assert (stats.feedback_helpful, stats.feedback_unhelpful) == (1, 1)
    with sqlite3.connect(index_dir / "newsbot.sqlite3") as db:
        stored = repr(db.execute("SELECT * FROM feedback").fetchall())
    assert str(reporter) not in stored and str(editor) not in stored


async def test_cooldown_refuses_a_second_question(fake: FakeDiscord, start_bot) -> None:
    await start_bot(cooldown_seconds=60)
    user = fake.add_user("reporter")
    await fake.response(await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION))
    second = await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION)
    refusal = await fake.response(second)
    assert second.response_type == 4 and refusal["flags"] & EPHEMERAL
    assert "try again in" in refusal["content"]
    other = fake.add_user("editor")  # per user, not global
    assert (
        "2,098"
        in (
            await fake.response(await fake.slash(other, fake.general_id, "ask", question=CARJACKING_QUESTION))
        )["embeds"][0]["description"]
    )


async def test_bad_question_reaches_the_user_privately(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(user, fake.general_id, "ask", question="x" * 3000)
    reply = await fake.response(interaction)
    assert reply["flags"] & EPHEMERAL
    assert "characters long" in reply["content"]
    assert interaction.original_deleted  # the public "thinking…" message did not turn into the error


async def test_bug_gets_an_apology_and_a_logged_traceback(
    fake: FakeDiscord,
    bot,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("index on fire")

    monkeypatch.setattr(engine, "search", broken)
    user = fake.add_user("reporter")
    with caplog.at_level(logging.ERROR):
        reply = await fake.response(await fake.slash(user, fake.general_id, "search", query="carjackings"))
    assert reply["flags"] & EPHEMERAL and reply["content"].startswith("Sorry")
    assert "index on fire" not in reply["content"]
    assert any(r.exc_info and "index on fire" in str(r.exc_info[1]) for r in caplog.records)


async def test_rate_limited_response_is_retried(fake: FakeDiscord, bot) -> None:
    fake.rate_limit("PATCH", r"/messages/@original$", retry_after=0.2)
    user = fake.add_user("reporter")
    answer = await fake.response(await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION))
    assert "2,098" in answer["embeds"][0]["description"]
    statuses = [
        status for method, path, status in fake.requests if method == "PATCH" and path.endswith("@original")
    ]
    assert statuses == [429, 200]


async def test_internal_article_cited_only_in_newsroom(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    inside = await fake.response(await fake.slash(user, fake.newsroom_id, "ask", question=INTERNAL_QUESTION))
    outside = await fake.response(await fake.slash(user, fake.general_id, "ask", question=INTERNAL_QUESTION))
    assert "4,512,000" in inside["embeds"][0]["description"]
    assert "intranet.example" in inside["embeds"][0]["fields"][0]["value"]
    shown = displayed(outside["embeds"])
    assert "4,512,000" not in shown and "intranet.example" not in shown
    assert "Not in the archive" in outside["embeds"][0]["description"]


async def test_commands_sync_globally_with_their_docstrings(fake: FakeDiscord, bot) -> None:
    synced = {c["name"]: c for c in fake.commands[None]}
    assert set(synced) == {
        "ask",
        "search",
        "figures",
        "article",
        "stats",
        "help",
        "ingest",
        "refresh",
        "report",
        "timeline",
    }
    assert synced["ask"]["description"].startswith("Answer a question from the archive")
    assert [(o["name"], o["required"]) for o in synced["ask"]["options"]] == [
        ("question", True),
        ("private", False),
        ("outlet", False),
        ("since", False),
        ("until", False),
        ("as_of", False),
    ]
    assert [o["name"] for o in synced["ask"]["options"] if o.get("autocomplete")] == ["outlet"]
    assert synced["ingest"]["dm_permission"] is False
    with pytest.raises(AssertionError, match="not available in DMs"):
        await fake.slash(
            fake.add_user("u"),
            fake.dm_channel(fake.add_user("v")),
            "ingest",
            file=FakeFile("a.md", b"x"),
        )


async def test_commands_sync_to_configured_guilds_only(fake: FakeDiscord, start_bot) -> None:
    await start_bot(guild_ids=[fake.guild_id])
    assert fake.commands.get(None) is None
    assert len(fake.commands[fake.guild_id]) == 10
    user = fake.add_user("reporter")
    answer = await fake.response(await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION))
    assert "2,098" in answer["embeds"][0]["description"]


async def test_ask_in_a_dm_never_cites_internal(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    answer = await fake.response(
        await fake.slash(user, fake.dm_channel(user), "ask", question=INTERNAL_QUESTION)
    )
    assert "Not in the archive" in answer["embeds"][0]["description"]
    assert "intranet.example" not in displayed(answer["embeds"])


async def test_ask_in_a_newsroom_thread_may_cite_internal(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    await fake.send_message(user, fake.newsroom_id, CARJACKING_QUESTION, mention_bot=True)
    [thread] = await fake.wait_for(lambda: fake.threads())
    answer = await fake.response(await fake.slash(user, int(thread["id"]), "ask", question=INTERNAL_QUESTION))
    assert "4,512,000" in answer["embeds"][0]["description"]
