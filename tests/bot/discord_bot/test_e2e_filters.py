"""/ask with its filters (outlet, since, until, as_of), the outlet autocomplete and the reading
line, and /search with the same filters, end to end: the real discord.py client against the fake
Discord."""

from __future__ import annotations

import pytest

from tests.bot.discord_bot.fake_discord import EPHEMERAL, FakeDiscord
from tests.bot.discord_bot.fake_discord.markdown import displayed, read_back
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION, INTERNAL_QUESTION

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

INTERNAL_OUTLET = "Newsroom memo"


def footer_lines(message: dict) -> list[str]:
    return message["embeds"][0]["footer"]["text"].splitlines()


def outlets_cited(message: dict) -> set[str]:
    """The outlets the citation fields name ('[1] Example Tribune · 2022-01-05 · covers 2021')."""
    return {field["name"].split("] ", 1)[1].split(" · ")[0] for field in message["embeds"][0]["fields"]}


async def test_ask_filtered_by_outlet_and_dates_answers_from_them_and_says_how_it_read_it(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(
        user,
        fake.general_id,
        "ask",
        question=CARJACKING_QUESTION,
        outlet=" example TRIBUNE ",
        since="2022-01-05",
        until="2022-01-05",
    )
    answer = await fake.response(interaction)
    assert "2,098" in answer["embeds"][0]["description"]
    assert outlets_cited(answer) == {"Example Tribune"}
    assert footer_lines(answer)[0] == (
        "Read as: how many · carjackings · in 2021 · Example Tribune only · "
        "published 2022-01-05 to 2022-01-05"
    )


async def test_an_outlet_filter_keeps_the_answer_to_that_outlet(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    answer = await fake.response(
        await fake.slash(user, fake.general_id, "ask", question="how many carjackings?", outlet="Example Sun")
    )
    assert outlets_cited(answer) == {"Example Sun"} and "500" in answer["embeds"][0]["description"]
    assert footer_lines(answer)[0].endswith("· Example Sun only")


async def test_every_answer_shows_its_reading_abstentions_and_messages_too(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    plain = await fake.response(await fake.slash(user, fake.general_id, "ask", question=CARJACKING_QUESTION))
    assert footer_lines(plain)[0] == "Read as: how many · carjackings · in 2021 · all outlets"
    missing = await fake.response(
        await fake.slash(user, fake.general_id, "ask", question="how many carjackings in 2019?")
    )
    assert "Not in the archive" in missing["embeds"][0]["description"]
    assert footer_lines(missing)[0] == "Read as: how many · carjackings · in 2019 · all outlets"
    dm = fake.dm_channel(user)
    await fake.send_message(user, dm, CARJACKING_QUESTION)
    [reply] = await fake.wait_for(lambda: fake.bot_messages(dm))
    assert footer_lines(reply)[0] == "Read as: how many · carjackings · in 2021 · all outlets"


async def test_as_of_reads_a_relative_period_against_that_day_and_says_so(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    answer = await fake.response(
        await fake.slash(
            user, fake.general_id, "ask", question="how many carjackings last year?", as_of="2022-03-01"
        )
    )
    assert footer_lines(answer)[0] == (
        "Read as: how many · carjackings · last year (2021-01-01 to 2021-12-31) · as of 2022-03-01 · "
        "all outlets"
    )


@pytest.mark.parametrize(
    ("option", "typed"), [("since", "last week"), ("until", "2022-13-01"), ("as_of", "1/3/2022")]
)
async def test_a_date_not_written_yyyy_mm_dd_is_refused_at_once_to_the_user_alone(
    fake: FakeDiscord, bot, option: str, typed: str
) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(
        user, fake.general_id, "ask", question=CARJACKING_QUESTION, **{option: typed}
    )
    refused = await fake.response(interaction)
    assert interaction.response_type == 4, "told at once, not after a public 'thinking…'"
    assert refused["flags"] & EPHEMERAL
    assert displayed(refused["content"]) == repr(
        f"{option}: '{typed}' is not a date; write it as YYYY-MM-DD, e.g. 2022-07-28."
    )


async def test_since_after_until_and_an_unknown_outlet_are_told_to_the_user_alone(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")
    asked = {
        "backwards": await fake.slash(
            user, fake.general_id, "ask", question=CARJACKING_QUESTION, since="2022-02-01", until="2022-01-01"
        ),
        "unknown": await fake.slash(
            user, fake.general_id, "ask", question=CARJACKING_QUESTION, outlet="Example Times"
        ),
    }
    told = {name: await fake.response(interaction) for name, interaction in asked.items()}
    for name, interaction in asked.items():
        assert told[name]["flags"] & EPHEMERAL
        assert interaction.original_deleted, "the public 'thinking…' is removed before the error"
    assert "since 2022-02-01 is after until 2022-01-01" in displayed(told["backwards"]["content"])
    shown = displayed(told["unknown"]["content"])
    assert "No outlet named 'Example Times'" in shown and "Example Sun, Example Tribune" in shown
    assert INTERNAL_OUTLET not in shown


async def test_the_outlet_autocomplete_lists_the_outlets_holding_what_was_typed(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")
    typed = await fake.autocomplete(user, fake.general_id, "ask", "outlet", "EXAMPLE")
    await fake.wait_for(lambda: typed.choices is not None)
    assert [(c["name"], c["value"]) for c in typed.choices] == [
        ("Example Sun", "Example Sun"),
        ("Example Tribune", "Example Tribune"),
    ]
    chosen = await fake.response(
        await fake.slash(
            user, fake.general_id, "ask", question=CARJACKING_QUESTION, outlet=typed.choices[1]["value"]
        )
    )
    assert outlets_cited(chosen) == {"Example Tribune"}


async def test_internal_only_outlets_are_offered_only_in_newsroom_channels(fake: FakeDiscord, bot) -> None:
    user = fake.add_user("reporter")
    offered = {}
    for where, channel in (("newsroom", fake.newsroom_id), ("general", fake.general_id)):
        typed = await fake.autocomplete(user, channel, "ask", "outlet", "memo")
        await fake.wait_for(lambda typed=typed: typed.choices is not None)
        offered[where] = [c["value"] for c in typed.choices]
    dm = await fake.autocomplete(user, fake.dm_channel(user), "ask", "outlet", "")
    await fake.wait_for(lambda: dm.choices is not None)
    assert offered == {"newsroom": [INTERNAL_OUTLET], "general": []}
    assert INTERNAL_OUTLET not in [c["value"] for c in dm.choices]


async def test_an_internal_only_outlet_asked_in_a_dm_gives_no_internal_text_and_no_outlet(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    refused = await fake.response(
        await fake.slash(user, dm, "ask", question=INTERNAL_QUESTION, outlet=INTERNAL_OUTLET)
    )
    assert refused["flags"] & EPHEMERAL and "No outlet named" in displayed(refused["content"])
    everything = displayed([fake.messages[i] for i in sorted(fake.messages)])
    assert "4,512,000" not in everything and "intranet.example" not in everything
    assert f"Known outlets: {INTERNAL_OUTLET}" not in everything and f", {INTERNAL_OUTLET}" not in everything
    inside = await fake.response(
        await fake.slash(user, fake.newsroom_id, "ask", question=INTERNAL_QUESTION, outlet=INTERNAL_OUTLET)
    )
    assert "4,512,000" in inside["embeds"][0]["description"]


# ---- /search ----------------------------------------------------------------------------------

CARJACKING_QUERY = "carjackings Chicago"


def titles_found(message: dict) -> list[str]:
    """The article titles a /search lists ('1. Chicago carjackings reached a record in 2021')."""
    return [read_back(field["name"]).split(". ", 1)[1] for field in message["embeds"][0]["fields"]]


async def test_search_lists_only_the_articles_of_the_outlet_and_publication_days_given(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")

    async def found(**filters: str) -> list[str]:
        reply = await fake.response(
            await fake.slash(user, fake.general_id, "search", query=CARJACKING_QUERY, **filters)
        )
        return titles_found(reply)

    tribune, sun = "Chicago carjackings reached a record in 2021", "Carjackings keep rising in 2022"
    assert {tribune, sun} <= set(await found())
    assert await found(outlet=" example SUN ") == [sun]
    assert await found(since="2022-01-05", until="2022-01-05") == [tribune]
    assert sun not in await found(until="2022-05-02")


@pytest.mark.parametrize(("option", "typed"), [("since", "last week"), ("until", "2022-13-01")])
async def test_a_search_date_not_written_yyyy_mm_dd_is_refused_at_once_to_the_user_alone(
    fake: FakeDiscord, bot, option: str, typed: str
) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(user, fake.general_id, "search", query=CARJACKING_QUERY, **{option: typed})
    refused = await fake.response(interaction)
    assert interaction.response_type == 4, "told at once, not after a public 'thinking…'"
    assert refused["flags"] & EPHEMERAL
    assert displayed(refused["content"]) == repr(
        f"{option}: '{typed}' is not a date; write it as YYYY-MM-DD, e.g. 2022-07-28."
    )


async def test_a_search_for_an_unknown_outlet_is_told_to_the_user_alone_with_the_outlets_known(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")
    interaction = await fake.slash(
        user, fake.general_id, "search", query=CARJACKING_QUERY, outlet="Example Times"
    )
    told = await fake.response(interaction)
    assert told["flags"] & EPHEMERAL
    assert interaction.original_deleted, "the public 'thinking…' is removed before the error"
    shown = displayed(told["content"])
    assert "No outlet named 'Example Times'" in shown and "Example Sun, Example Tribune" in shown
    assert INTERNAL_OUTLET not in shown


async def test_search_offers_the_outlets_of_ask_and_internal_ones_only_in_newsroom_channels(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")
    offered = {}
    for where, channel in (("newsroom", fake.newsroom_id), ("general", fake.general_id)):
        typed = await fake.autocomplete(user, channel, "search", "outlet", "e")
        await fake.wait_for(lambda typed=typed: typed.choices is not None)
        offered[where] = [c["value"] for c in typed.choices]
    assert INTERNAL_OUTLET in offered["newsroom"] and INTERNAL_OUTLET not in offered["general"]
    assert {"Example Sun", "Example Tribune"} <= set(offered["general"])


async def test_an_internal_only_outlet_searched_in_a_dm_gives_no_internal_text_and_no_outlet(
    fake: FakeDiscord, bot
) -> None:
    user = fake.add_user("reporter")
    dm = fake.dm_channel(user)
    typed = await fake.autocomplete(user, dm, "search", "outlet", "memo")
    await fake.wait_for(lambda: typed.choices is not None)
    assert typed.choices == []
    refused = await fake.response(
        await fake.slash(user, dm, "search", query="newsroom budget", outlet=INTERNAL_OUTLET)
    )
    assert refused["flags"] & EPHEMERAL and "No outlet named" in displayed(refused["content"])
    everything = displayed([fake.messages[i] for i in sorted(fake.messages)])
    assert "4,512,000" not in everything and "intranet.example" not in everything
    assert "Desk memo" not in everything
    assert f"Known outlets: {INTERNAL_OUTLET}" not in everything and f", {INTERNAL_OUTLET}" not in everything
    inside = await fake.response(
        await fake.slash(user, fake.newsroom_id, "search", query="newsroom budget", outlet=INTERNAL_OUTLET)
    )
    assert titles_found(inside) == ["Desk memo: newsroom budget"]
