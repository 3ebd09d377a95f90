"""The names of months and weekdays, written once for period reading, questions and spans."""

from __future__ import annotations

import re

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# A month as news copy writes it: in full, or abbreviated with or without a full stop.
MONTH_PATTERN = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sep(?:t(?:ember|\.)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
WEEKDAY_PATTERN = "|".join(WEEKDAY_NAMES)

_CALENDAR_WORD = re.compile(
    rf"^(?:(?:On|Last|This|Earlier|Late) )?(?:{WEEKDAY_PATTERN}|{'|'.join(MONTH_NAMES)})$"
)


def month_number(word: str) -> int:
    """1-12 for a month name or abbreviation ("Sept.", "july")."""
    return [m[:3].lower() for m in MONTH_NAMES].index(word[:3].lower()) + 1


def weekday_number(word: str) -> int:
    """0 (Monday) to 6 (Sunday)."""
    return [d.lower() for d in WEEKDAY_NAMES].index(word.lower())


def is_calendar_word(text: str) -> bool:
    """A bare month or weekday ("Tuesday", "Last July"): a time, not a name."""
    return bool(_CALENDAR_WORD.match(text.strip()))
