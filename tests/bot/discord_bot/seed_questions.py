"""Questions about the shipped corpus/ (asked on 2022-08-01, like tests/index/test_ask_e2e.py) with what
a right answer shows: shared by the bot's load test and `tests/bot/discord_bot/bot_load.py`."""

from __future__ import annotations

from typing import Any

from tests.bot.discord_bot.fake_discord.markdown import read_back
from tests.fixtures.paths import SEED_TODAY

__all__ = ["NOT_IN_ARCHIVE", "SEED_QUESTIONS", "SEED_TODAY", "answer_problem", "mix"]
NOT_IN_ARCHIVE = "**Not in the archive.**"

# (question, a figure or name the answer and one of its citations must hold); None: abstains.
# "What time did the carjacking attempt happen?" is a known miss (tests/index/test_ask_e2e.py).
SEED_QUESTIONS: list[tuple[str, str | None]] = [
    ("how many carjackings in 2021?", "2,098"),
    ("how many vehicular hijackings in 2021?", "2,098"),
    ("how many carjackings in 2022?", "942"),
    ("how many carjacking cases resulted in an arrest?", "57"),
    ("How old was the officer?", "32-year-old"),
    ("Which hospital treated the officer?", "University of Chicago Medical Center"),
    ("auto hijackings in Chicago between January and April 2022", "500"),
    ("how many carjackings happened in Chicago in 2019?", None),
    ("How many homicides did Chicago record in 2021?", None),
    ("How many carjackings happened in Chicago in December 2021?", None),
]


def mix(count: int) -> list[tuple[str, str | None]]:
    """`count` questions cycling through the list: about two answerable for each one that abstains."""
    return [SEED_QUESTIONS[i % len(SEED_QUESTIONS)] for i in range(count)]


def answer_problem(message: dict[str, Any], question: str, expected: str | None) -> str | None:
    """Why `message` is not the right answer to `question` (None when it is): an answer shows
    `expected` in its text and in a quoted citation; an abstention starts by saying so. Text is
    read as Discord shows it, markdown escapes read back."""
    if not message.get("embeds"):
        return f"{question!r}: no embed, got {message.get('content')!r}"
    embed = message["embeds"][0]
    description = read_back(embed.get("description", ""))
    quotes = read_back(" ".join(f["value"] for f in embed.get("fields", [])))
    if embed.get("title") != question:
        return f"{question!r}: answered as {embed.get('title')!r}"
    if expected is None:
        if not description.startswith(NOT_IN_ARCHIVE):
            return f"{question!r}: expected an abstention, got {description[:200]!r}"
        return None
    if description.startswith(NOT_IN_ARCHIVE):
        return f"{question!r}: abstained, expected {expected!r}"
    if expected not in description.replace("**", ""):
        return f"{question!r}: {expected!r} not in {description[:200]!r}"
    if expected not in quotes:
        return f"{question!r}: no citation quotes {expected!r}"
    return None
