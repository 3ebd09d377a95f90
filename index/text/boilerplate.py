"""Lines of an article that are page furniture, not reporting: promos, credits, embeds."""

from __future__ import annotations

import re

_PROMO_LINE = re.compile(
    r"^\s*(WATCH|READ MORE|RELATED|MORE|LISTEN|VIDEO|PHOTOS|SEE ALSO|ADVERTISEMENT|SPONSORED)"
    r"\s*(?::|\||>|\s[-–—]\s)",
    re.IGNORECASE,
)
# An imperative to the reader ("Sign up for...", "Subscribe") or a newsletter plug; "residents
# can sign up for the program" is reporting.
_CALL_TO_ACTION = re.compile(
    r"(?:^|[.?!]\s+)(?:sign up|subscribe|download (?:our|the) app|follow us|click here|"
    r"support (?:our|local) journalism)\b|\bnewsletter\b",
    re.IGNORECASE,
)
_TWEET_EMBED = re.compile(
    r"pic\.twitter\.com/|https?://t\.co/|\(@\w{1,15}\)\s+[A-Z][a-z]+\s+\d{1,2},\s+\d{4}\s*$"
)
# "Jane Doe/Sun-Times", "Photo: AP", "(AP Photo/John Smith)", "Getty Images". The possessive
# runs (`*+`, `++`) never give back the spaces the next `\s*` would take: linear, not quadratic.
_CREDIT = re.compile(
    r"^\s*+(\(?(AP|Reuters|AFP)?\s*Photo\b.*|.*\bGetty Images\b.*|"
    r"([A-Z][\w.'-]+\s){1,3}[A-Z][\w.'-]+\s?/\s?[A-Z][\w.' -]++)\)?\s*$"
)
_SHORT_PARAGRAPH = 320


def is_boilerplate_line(line: str) -> bool:
    """True for a paragraph that a reader would not quote as a fact."""
    stripped = line.strip()
    if not stripped:
        return True
    if _PROMO_LINE.match(stripped) or _TWEET_EMBED.search(stripped):
        return True
    if len(stripped) <= 80 and _CREDIT.match(stripped):
        return True
    return len(stripped) <= _SHORT_PARAGRAPH and bool(_CALL_TO_ACTION.search(stripped))


def boilerplate_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of the boilerplate lines of `text`."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if is_boilerplate_line(m.group())]
