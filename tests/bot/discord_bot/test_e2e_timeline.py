"""/timeline end to end: events paged with Previous and Next, which only the asker may press,
every page within Discord's limits, internal articles only in newsroom channels, and buttons
disabled when the view times out."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.discord_bot.views
from index.engine import Engine
from index.params import EngineParams
from tests.bot.discord_bot.fake_discord import EPHEMERAL, FakeDiscord
from tests.bot.discord_bot.fake_discord.markdown import displayed, read_back
from tests.fixtures.timeline_articles import HASHING_TIMELINE, TOPIC, write_timeline_articles

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture
def engine_params(engine_params: EngineParams) -> EngineParams:
    """The bot's engine with timeline thresholds for the HashingEncoder."""
    return engine_params.model_copy(update={"timeline": HASHING_TIMELINE})


@pytest.fixture
async def story_bot(engine: Engine, start_bot, tmp_path: Path):
    engine.ingest([write_timeline_articles(tmp_path / "story")])
    return await start_bot()


def buttons(message: dict) -> dict[str, bool]:
    """Each button's label and whether it can be pressed."""
    return {
        c["label"]: not c.get("disabled", False) for row in message["components"] for c in row["components"]
    }


def numbers(message: dict) -> list[int]:
    return [int(read_back(f["name"]).split(".")[0]) for f in message["embeds"][0]["fields"]]


async def test_timeline_pages_forward_and_back_for_the_asker_only(fake: FakeDiscord, story_bot) -> None:
    asker, other = fake.add_user("reporter"), fake.add_user("editor")
    first = await fake.response(await fake.slash(asker, fake.general_id, "timeline", topic=TOPIC))
    message_id = int(first["id"])
    embed = first["embeds"][0]
    assert read_back(embed["title"]) == f"Timeline: {TOPIC}"
    assert numbers(first) == [1, 2, 3, 4, 5] and embed["footer"]["text"].startswith("Events 1–5 of 7")
    assert buttons(first) == {"Previous": False, "Next": True}

    paged = await fake.click(asker, message_id, "Next")
    await fake.wait_for(lambda: paged.response_type == 7)
    second = fake.messages[message_id]
    assert numbers(second) == [6, 7] and buttons(second) == {"Previous": True, "Next": False}

    refused = await fake.response(await fake.click(other, message_id, "Previous"))
    assert refused["flags"] & EPHEMERAL and "Only the member who asked" in refused["content"]
    assert numbers(fake.messages[message_id]) == [6, 7]  # unchanged by the other member

    back = await fake.click(asker, message_id, "Previous")
    await fake.wait_for(lambda: back.response_type == 7)
    assert numbers(fake.messages[message_id]) == [1, 2, 3, 4, 5]
    assert not fake.refusals  # Discord accepted every page


async def test_timeline_events_come_in_the_order_they_happened_with_their_sources(
    fake: FakeDiscord, story_bot
) -> None:
    user = fake.add_user("reporter")
    first = await fake.response(await fake.slash(user, fake.general_id, "timeline", topic=TOPIC))
    fields = [(read_back(f["name"]), read_back(f["value"])) for f in first["embeds"][0]["fields"]]
    days = [name.split(" ")[1] for name, _ in fields]
    assert days == sorted(days) and fields[2][0] == "3. 2023-05-08 (Monday)"
    assert fields[2][1].startswith("“A water main broke on Monday under Harlow Street")
    assert (
        "— [Water main breaks under Harlow Street](https://ledger.example/2023/05/10/main-break)"
        in fields[2][1]
    )
    assert fields[2][1].endswith("Also reported by: River Valley News · 2023-05-12")


async def test_timeline_outside_the_newsroom_leaves_out_internal_articles(
    fake: FakeDiscord, story_bot
) -> None:
    user = fake.add_user("reporter")
    for channel, total in ((fake.dm_channel(user), 7), (fake.general_id, 7), (fake.newsroom_id, 8)):
        first = await fake.response(await fake.slash(user, channel, "timeline", topic=TOPIC))
        message_id = int(first["id"])
        assert first["embeds"][0]["footer"]["text"].startswith(f"Events 1–5 of {total}")
        shown = displayed(first["embeds"])  # before the click edits the message
        paged = await fake.click(user, message_id, "Next")
        await fake.wait_for(lambda paged=paged: paged.response_type == 7)
        shown += displayed(fake.messages[message_id]["embeds"])
        assert ("intranet.example" in shown) is (channel == fake.newsroom_id)


async def test_a_timeline_on_one_page_has_no_buttons(fake: FakeDiscord, story_bot) -> None:
    user = fake.add_user("reporter")
    reply = await fake.response(
        await fake.slash(user, fake.general_id, "timeline", topic="library opening hours")
    )
    assert reply["components"] == [] and len(reply["embeds"][0]["fields"]) == 1


async def test_a_timed_out_timeline_disables_its_buttons(
    fake: FakeDiscord, engine: Engine, start_bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.discord_bot.views, "PAGE_TIMEOUT", 0.5)
    engine.ingest([write_timeline_articles(tmp_path / "story")])
    await start_bot()
    user = fake.add_user("reporter")
    first = await fake.response(await fake.slash(user, fake.general_id, "timeline", topic=TOPIC))
    message_id = int(first["id"])
    await fake.wait_for(lambda: not any(buttons(fake.messages[message_id]).values()))
    assert set(buttons(fake.messages[message_id])) == {"Previous", "Next"}
    assert not fake.refusals
