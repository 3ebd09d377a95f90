"""The filter options of /ask (outlet, since, until, as_of) as Discord delivers them: dates typed
as text, outlets offered by autocomplete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from discord import app_commands

from index import BadFilterError

from .rendering import CHOICE_MAX

CHOICES_MAX = 25  # Discord shows at most 25 autocomplete choices


def day_option(name: str, text: str | None) -> dt.date | None:
    """A YYYY-MM-DD option as a date; anything else is the user's to correct."""
    if text is None or not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise BadFilterError(
            f"{name}: {text.strip()!r} is not a date; write it as YYYY-MM-DD, e.g. 2022-07-28."
        ) from None


def outlet_choices(outlets: Sequence[str], typed: str) -> list[app_commands.Choice[str]]:
    """The outlets whose names hold what was typed (any case), in the archive's order. One
    longer than a choice may be is left out: its value could not name it whole."""
    wanted = typed.strip().casefold()
    return [
        app_commands.Choice(name=outlet, value=outlet)
        for outlet in outlets
        if wanted in outlet.casefold() and len(outlet) <= CHOICE_MAX
    ][:CHOICES_MAX]
