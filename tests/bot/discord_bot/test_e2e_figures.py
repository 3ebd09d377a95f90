"""/figures end to end: grouped figures within Discord's limits, the chart attached when there
are three periods or more, internal figures only in newsroom channels."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from index.engine import Engine
from tests.bot.discord_bot.fake_discord import FakeDiscord
from tests.bot.discord_bot.fake_discord.markdown import read_back

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


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


async def test_many_figures_stay_within_the_embed_limits_with_a_note_of_what_is_left_out(
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
    interaction = await fake.slash(user, fake.general_id, "figures", topic="carjackings")
    embed = (await fake.response(interaction))["embeds"][0]  # the fake refuses anything over a limit
    assert read_back(embed["description"]).splitlines()[-1].startswith("… and ")
    assert " more" in embed["footer"]["text"]
    assert not fake.refusals


async def test_internal_figures_stay_out_of_dms_and_show_in_the_newsroom(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    in_dm = (await fake.response(await fake.slash(user, dm, "figures", topic="dollars")))["embeds"][0]
    assert "4,512,000" not in str(in_dm) and "No figures" in read_back(in_dm["description"])
    newsroom = await fake.slash(user, fake.newsroom_id, "figures", topic="dollars")
    assert "4,512,000" in (await fake.response(newsroom))["embeds"][0]["description"]
