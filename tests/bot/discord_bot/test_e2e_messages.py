"""Questions asked in messages, end to end: DMs, newsroom mentions, threads and follow-ups."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.engine import Engine
from tests.bot.discord_bot.fake_discord import FakeDiscord
from tests.bot.discord_bot.fake_discord.markdown import displayed
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION, INTERNAL_QUESTION
from tests.fixtures.encoder import HashingEncoder

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

FOLLOW_UP = "and in 2022?"


def description(message: dict) -> str:
    return message["embeds"][0]["description"] if message["embeds"] else message["content"]


async def answers_in(fake: FakeDiscord, channel_id: int, count: int) -> list[dict]:
    return await fake.wait_for(
        lambda: len(fake.bot_messages(channel_id)) >= count and fake.bot_messages(channel_id)
    )


async def test_dm_question_is_answered_as_a_reply(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    question = await fake.send_message(user, dm, CARJACKING_QUESTION)
    [answer] = await answers_in(fake, dm, 1)
    assert "2,098" in description(answer)
    assert int(answer["message_reference"]["message_id"]) == int(question["id"])
    assert [c["label"] for row in answer["components"] for c in row["components"]] == [
        "Helpful",
        "Not helpful",
    ]


async def test_dm_follow_up_reads_the_previous_question(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    await fake.send_message(user, dm, CARJACKING_QUESTION)
    await answers_in(fake, dm, 1)
    await fake.send_message(user, dm, FOLLOW_UP)
    follow_up = (await answers_in(fake, dm, 2))[1]
    assert "more than 500" in description(follow_up)


async def test_newsroom_mention_is_answered_in_a_thread(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    question = await fake.send_message(user, fake.newsroom_id, CARJACKING_QUESTION, mention_bot=True)
    [thread] = await fake.wait_for(lambda: fake.threads())
    assert int(thread["id"]) == int(question["id"])  # started from the question
    assert thread["name"] == CARJACKING_QUESTION
    [answer] = await answers_in(fake, int(thread["id"]), 1)
    assert "2,098" in description(answer)
    assert fake.bot_messages(fake.newsroom_id) == []  # nothing but the thread in the channel


async def test_follow_up_in_the_thread_needs_no_mention(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    await fake.send_message(user, fake.newsroom_id, CARJACKING_QUESTION, mention_bot=True)
    [thread] = await fake.wait_for(lambda: fake.threads())
    thread_id = int(thread["id"])
    await answers_in(fake, thread_id, 1)
    await fake.send_message(user, thread_id, FOLLOW_UP)
    follow_up = (await answers_in(fake, thread_id, 2))[1]
    assert "more than 500" in description(follow_up)


async def test_messages_not_addressed_to_the_bot_are_ignored(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    await fake.send_message(user, fake.newsroom_id, CARJACKING_QUESTION)  # no mention
    await fake.send_message(user, fake.general_id, CARJACKING_QUESTION, mention_bot=True)  # not a newsroom
    # Events are handled in order: once a later DM is answered, the two above were looked at.
    dm = fake.dm_channel(user)
    await fake.send_message(user, dm, CARJACKING_QUESTION)
    await answers_in(fake, dm, 1)
    assert fake.bot_messages(fake.newsroom_id) == [] and fake.bot_messages(fake.general_id) == []
    assert fake.threads() == []


async def test_internal_article_cited_in_newsroom_never_in_a_dm(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    await fake.send_message(user, fake.newsroom_id, INTERNAL_QUESTION, mention_bot=True)
    [thread] = await fake.wait_for(lambda: fake.threads())
    [inside] = await answers_in(fake, int(thread["id"]), 1)
    assert "4,512,000" in description(inside)
    assert "intranet.example" in inside["embeds"][0]["fields"][0]["value"]

    dm = fake.dm_channel(user)
    await fake.send_message(user, dm, INTERNAL_QUESTION)
    [outside] = await answers_in(fake, dm, 1)
    assert "Not in the archive" in description(outside)
    shown = displayed(outside["embeds"])
    assert "4,512,000" not in shown and "intranet.example" not in shown


async def test_thread_refused_falls_back_to_a_reply_and_replies_continue(fake: FakeDiscord, bot) -> None:
    fake.forbid_threads = True
    user = fake.add_user("reporter")
    question = await fake.send_message(user, fake.newsroom_id, CARJACKING_QUESTION, mention_bot=True)
    [answer] = await answers_in(fake, fake.newsroom_id, 1)
    assert int(answer["message_reference"]["message_id"]) == int(question["id"])
    assert "2,098" in description(answer)

    await fake.send_message(user, fake.newsroom_id, FOLLOW_UP, reply_to=int(answer["id"]))
    follow_up = (await answers_in(fake, fake.newsroom_id, 2))[1]
    assert "more than 500" in description(follow_up)


async def test_without_content_intent_only_mentions_are_read(fake: FakeDiscord, start_bot) -> None:
    await start_bot(message_content_intent=False)
    user = fake.add_user("reporter")
    await fake.send_message(user, fake.newsroom_id, CARJACKING_QUESTION, mention_bot=True)
    [thread] = await fake.wait_for(lambda: fake.threads())
    thread_id = int(thread["id"])
    await answers_in(fake, thread_id, 1)

    await fake.send_message(user, thread_id, FOLLOW_UP)  # arrives empty: the bot cannot read it
    await fake.send_message(user, thread_id, FOLLOW_UP, mention_bot=True)
    replies = await answers_in(fake, thread_id, 2)
    assert "more than 500" in description(replies[1])
    dm = fake.dm_channel(user)  # and the empty message got no reply of its own
    await fake.send_message(user, dm, CARJACKING_QUESTION)
    await answers_in(fake, dm, 1)
    assert len(fake.bot_messages(thread_id)) == 2


async def test_articles_ingested_elsewhere_are_answered_without_restart(
    fake: FakeDiscord, bot, index_dir: Path, tmp_path: Path
) -> None:
    article = tmp_path / "bike-thefts.md"
    article.write_text(
        "---\ntitle: Bike thefts fell in 2023\nurl: https://news.example/bikes\npublished: 2024-01-10\n"
        "outlet: Example Tribune\n---\nIn 2023, Chicago saw 1,234 bike thefts, according to police.\n",
        encoding="utf-8",
    )
    other = Engine.open(index_dir, HashingEncoder())  # as `newsbot ingest` would, in another process
    try:
        other.ingest([article])
    finally:
        other.close()

    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    await fake.send_message(user, dm, "how many bike thefts in 2023?")
    [answer] = await answers_in(fake, dm, 1)
    assert "1,234" in description(answer)


async def test_rate_limited_reply_is_retried(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    fake.rate_limit("POST", rf"/channels/{dm}/messages$", retry_after=0.2)
    await fake.send_message(user, dm, CARJACKING_QUESTION)
    [answer] = await answers_in(fake, dm, 1)
    assert "2,098" in description(answer)
    statuses = [
        s for m, path, s in fake.requests if m == "POST" and path.endswith(f"/channels/{dm}/messages")
    ]
    assert statuses == [429, 200]


async def test_cooldown_applies_to_messages(fake: FakeDiscord, start_bot) -> None:
    await start_bot(cooldown_seconds=60)
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    await fake.send_message(user, dm, CARJACKING_QUESTION)
    await fake.send_message(user, dm, FOLLOW_UP)
    replies = await answers_in(fake, dm, 2)
    assert sum("try again in" in r["content"] for r in replies) == 1
