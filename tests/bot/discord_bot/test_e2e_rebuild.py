"""A rebuild while the bot runs: the bot's uploads and feedback are kept, and the running bot
answers from the rebuilt archive and ingests into it (the real client against the fake Discord)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from index.engine import Engine
from tests.bot.discord_bot.fake_discord import FakeDiscord, FakeFile
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION, write_articles
from tests.fixtures.encoder import HashingEncoder

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

BIKES = b"""---
title: "Bike thefts fell in 2023"
url: https://news.example/2024/01/bike-thefts
published: 2024-01-10
---
In 2023, Chicago saw 1,234 bike thefts, according to police.
"""
FERRIES = b"""---
title: "Ferry riders"
url: https://news.example/2022/01/ferries
published: 2022-01-10
---
In 2021, the lake ferry carried 120,000 riders, the port authority said.
"""


async def answer_to(fake: FakeDiscord, user, question: str) -> str:
    reply = await fake.response(await fake.slash(user, fake.general_id, "ask", question=question))
    return reply["embeds"][0]["description"]


async def test_a_rebuild_keeps_the_bots_uploads_and_feedback_and_the_running_bot_serves_it(
    fake: FakeDiscord, bot, index_dir: Path, tmp_path: Path
) -> None:
    desk, reporter = fake.add_user("research desk", admin=True), fake.add_user("reporter")
    uploaded = await fake.response(
        await fake.slash(desk, fake.general_id, "ingest", file=FakeFile("bikes.md", BIKES))
    )
    assert uploaded["embeds"][0]["description"].startswith("added 1")
    asked = await fake.slash(reporter, fake.general_id, "ask", question=CARJACKING_QUESTION)
    answer = await fake.response(asked)
    await fake.response(await fake.click(reporter, int(answer["id"]), "Helpful"))

    corpus = write_articles(tmp_path / "corpus")  # the archive's own files, without the upload
    await asyncio.to_thread(Engine.rebuild, index_dir, HashingEncoder(), [corpus])

    assert "1,234" in await answer_to(fake, reporter, "how many bike thefts in 2023?")
    again = await fake.response(
        await fake.slash(desk, fake.general_id, "ingest", file=FakeFile("ferries.md", FERRIES))
    )
    assert again["embeds"][0]["description"].startswith("added 1")
    assert "120,000" in await answer_to(fake, reporter, "how many ferry riders in 2021?")

    restarted = Engine.open(index_dir, HashingEncoder())  # as the bot's next start finds it
    try:
        stats = restarted.stats()
        assert stats.feedback_helpful == 1
        assert {"https://news.example/2024/01/bike-thefts", "https://news.example/2022/01/ferries"} <= {
            info.article_id for info in restarted.find_articles("", limit=100)
        }
    finally:
        restarted.close()
