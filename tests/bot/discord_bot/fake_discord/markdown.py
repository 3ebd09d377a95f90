"""What a Discord client shows of message text: its markdown escapes read back, and which markup
characters are left live."""

from __future__ import annotations

import re

# What Discord's markdown gives a meaning to: emphasis, underline, strike, spoilers, code, quotes,
# headings, lists ("-", "1."), masked links, autolinks ("https:") and the <...> of mentions,
# channels, slash commands, emoji and timestamps.
DISCORD_MARKUP = set("\\*_~|`>#-[]()<:.")
# Discord shows a backslash before any character but a letter, digit or space as that character.
_ESCAPE = re.compile(r"\\([^0-9A-Za-z\s])")


def read_back(text: str) -> str:
    """What Discord shows for `text`: each escaped character without its backslash."""
    return _ESCAPE.sub(r"\1", text)


def live_markup(text: str) -> str:
    """The markup characters Discord acts on in `text`: those a backslash does not escape."""
    return "".join(ch for ch in _ESCAPE.sub("", text) if ch in DISCORD_MARKUP)


def displayed(payload: object) -> str:
    """A payload (messages, embeds, choices) as text, every string in it as Discord shows it: for
    checking what a reader does or does not see."""

    def shown(value: object) -> object:
        if isinstance(value, str):
            return read_back(value)
        if isinstance(value, dict):
            return {k: shown(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [shown(v) for v in value]
        return value

    return repr(shown(payload))
