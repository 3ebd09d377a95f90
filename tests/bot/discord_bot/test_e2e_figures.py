"""/figures end to end: grouped figures within Discord's limits, paged with Previous and Next
(only by the asker; buttons disabled on timeout), the chart attached to the first page when there
are three periods or more, internal figures only in newsroom channels."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import bot.discord_bot.views
from index.engine import Engine
from tests.bot.discord_bot.fake_discord import EPHEMERAL, FakeDiscord
from tests.bot.discord_bot.fake_discord.markdown import read_back
from tests.fixtures.figure_articles import FIGURES, TOPIC, write_figure_articles

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def buttons(message: dict) -> dict[str, bool]:
    """Each button's label and whether it can be pressed."""
    return {
        c["label"]: not c.get("disabled", False) for row in message["components"] for c in row["components"]
    }


def citation_numbers(message: dict) -> list[int]:
    """The citation of each figure a page lists ('[3] Riverton Ledger · 2024-01-10 · covers 2022')."""
    return [int(read_back(f["name"])[1:].split("]")[0]) for f in message["embeds"][0]["fields"]]


def chart_shown(message: dict) -> bool:
    """Whether the message attaches the chart and its embed shows it."""
    names = [a["filename"] for a in message["attachments"]]
    return names == ["figures.png"] and message["embeds"][0]["image"]["url"] == "attachment://figures.png"


def add_article(engine: Engine, folder: Path, name: str, body: str, **meta: str) -> None:
    folder.mkdir(exist_ok=True)
    front = "".join(f"{k}: {v}\n" for k, v in meta.items())
    (folder / name).write_text(f"---\n{front}---\n{textwrap.dedent(body)}", encoding="utf-8")
    assert engine.ingest([folder]).added


async def test_figures_lists_each_period_with_its_source_and_no_chart_for_two_periods(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(user, fake.general_id, "figures", topic="carjackings")
    message = await fake.response(interaction)
    embed = message["embeds"][0]
    assert read_back(embed["title"]) == "Figures: carjackings"
    lines = read_back(embed["description"]).splitlines()
    assert lines[0] == "**carjackings**"
    assert "more than 500 carjackings" in lines[1] and "Example Sun, police" in lines[1]
    assert "nearly 2,098 carjackings" in lines[2] and "Cook County Sheriff's Office" in lines[2]
    assert "attributed to: Cook County Sheriff's Office" in read_back(embed["fields"][1]["value"])
    assert message["attachments"] == [] and "image" not in embed


async def test_three_periods_or_more_attach_the_chart_as_a_png(
    fake: FakeDiscord, bot, engine: Engine, tmp_path: Path
) -> None:
    add_article(
        engine,
        tmp_path / "more",
        "2020.md",
        "In 2020, Chicago saw 1,400 carjackings, police said.\n",
        title="Carjackings in 2020",
        published="2021-01-04",
        outlet="Example Tribune",
    )
    user = fake.add_user("reporter")
    interaction = await fake.slash(user, fake.general_id, "figures", topic="carjackings")
    message = await fake.response(interaction)
    (attachment,) = message["attachments"]
    assert attachment["filename"] == "figures.png" and attachment["content_type"] == "image/png"
    data = fake.files[attachment["url"].split(str(fake.port), 1)[1]]
    assert data.startswith(PNG_MAGIC) and attachment["size"] == len(data)
    assert message["embeds"][0]["image"]["url"] == "attachment://figures.png"


async def test_many_figures_page_through_within_the_embed_limits_each_shown_once(
    fake: FakeDiscord, bot, engine: Engine, tmp_path: Path
) -> None:
    body = "".join(
        f"In {1950 + n}, the county saw {100 + n} carjackings on its roads, according to the Sheriff's "
        f"Office of Example County, whose report ran to many pages of careful description.\n\n"
        for n in range(60)
    )
    add_article(
        engine,
        tmp_path / "many",
        "history.md",
        body,
        title="Sixty years of carjackings",
        published="2024-01-01",
    )
    user = fake.add_user("reporter")
    first = await fake.response(await fake.slash(user, fake.general_id, "figures", topic="carjackings"))
    message_id = int(first["id"])
    seen = citation_numbers(first)
    while buttons(fake.messages[message_id])["Next"]:
        paged = await fake.click(user, message_id, "Next")
        await fake.wait_for(lambda paged=paged: paged.response_type == 7)
        seen += citation_numbers(fake.messages[message_id])
    assert seen == list(range(1, 63))  # the sixty, and the two of the shipped carjacking articles
    assert not fake.refusals  # the fake refuses anything over a limit


@pytest.fixture
async def burglary_bot(engine: Engine, start_bot, tmp_path: Path):
    engine.ingest([write_figure_articles(tmp_path / "burglaries")])
    return await start_bot()


async def test_figures_page_forward_and_back_for_the_asker_only_with_the_chart_on_the_first_page(
    fake: FakeDiscord, burglary_bot
) -> None:
    asker, other = fake.add_user("reporter"), fake.add_user("editor")
    first = await fake.response(await fake.slash(asker, fake.general_id, "figures", topic=TOPIC))
    message_id = int(first["id"])
    assert citation_numbers(first) == [1, 2, 3, 4, 5]
    assert first["embeds"][0]["footer"]["text"].startswith(f"Figures 1–5 of {FIGURES}")
    assert buttons(first) == {"Previous": False, "Next": True}
    assert chart_shown(first)

    paged = await fake.click(asker, message_id, "Next")
    await fake.wait_for(lambda: paged.response_type == 7)
    second = fake.messages[message_id]
    assert citation_numbers(second) == list(range(6, FIGURES + 1))
    assert buttons(second) == {"Previous": True, "Next": False}
    assert second["attachments"] == [] and "image" not in second["embeds"][0]

    refused = await fake.response(await fake.click(other, message_id, "Previous"))
    assert refused["flags"] & EPHEMERAL and "Only the member who asked" in refused["content"]
    assert "/figures" in refused["content"]
    assert citation_numbers(fake.messages[message_id]) == list(range(6, FIGURES + 1))

    back = await fake.click(asker, message_id, "Previous")
    await fake.wait_for(lambda: back.response_type == 7)
    again = fake.messages[message_id]
    assert citation_numbers(again) == [1, 2, 3, 4, 5] and chart_shown(again)
    assert not fake.refusals


async def test_a_timed_out_figures_list_disables_its_buttons(
    fake: FakeDiscord, engine: Engine, start_bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.discord_bot.views, "PAGE_TIMEOUT", 0.5)
    engine.ingest([write_figure_articles(tmp_path / "burglaries")])
    await start_bot()
    user = fake.add_user("reporter")
    first = await fake.response(await fake.slash(user, fake.general_id, "figures", topic=TOPIC))
    message_id = int(first["id"])
    await fake.wait_for(lambda: not any(buttons(fake.messages[message_id]).values()))
    assert set(buttons(fake.messages[message_id])) == {"Previous", "Next"}
    assert chart_shown(fake.messages[message_id]), "disabling the buttons keeps the chart"
    assert not fake.refusals


async def test_internal_figures_stay_out_of_dms_and_show_in_the_newsroom(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    in_dm = (await fake.response(await fake.slash(user, dm, "figures", topic="dollars")))["embeds"][0]
    assert "4,512,000" not in str(in_dm) and "No figures" in read_back(in_dm["description"])
    newsroom = await fake.slash(user, fake.newsroom_id, "figures", topic="dollars")
    assert "4,512,000" in (await fake.response(newsroom))["embeds"][0]["description"]
