"""Which stretch of time a piece of text speaks about.

Explicit dates ("in 2021", "from Jan. 1 through July 24 of 2022", "March 15, 2021") are read as
written; relative ones ("earlier this year", "last week", "on Monday") against a reference date:
an article's publication date, or today for a question.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Sequence

from ..models import Period, PeriodBasis
from .calendar_names import MONTH_PATTERN, WEEKDAY_PATTERN, month_number, weekday_number

_YEAR_BARE = r"(?:1[89]\d\d|20\d\d)"
# Not a year: "2,098", "$2021", "747-2021", "2020%", "the 1900 block".
_YEAR_GUARD = (r"(?<![\d,.$/-])", r"(?![\d%]|,\d|\s+block)")
_YEAR = _YEAR_BARE.join(_YEAR_GUARD)
# The second year of "2019-2021" follows a hyphen.
_YEAR_AFTER_DASH = _YEAR_BARE + _YEAR_GUARD[1]
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year_of(month: int, day: int, ref: dt.date | None) -> int | None:
    """The year of a month-day written without one: the latest not after the reference date."""
    if ref is None:
        return None
    year = ref.year
    if (month, day) > (ref.month, ref.day):
        year -= 1
    return year


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _day(text: str) -> int:
    """The day of "24" or "24th"."""
    return int(text.rstrip("stndrh"))


Builder = Callable[[re.Match, "dt.date | None"], "tuple[dt.date, dt.date] | None"]


def _range(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    m1, d1, y1, m2, d2, y2 = (m.group(g) for g in ("m1", "d1", "y1", "m2", "d2", "y2"))
    mo1, mo2 = month_number(m1), month_number(m2)
    wraps = 1 if mo1 > mo2 else 0  # "November to February" runs into the next year
    if y2:
        year2 = int(y2)
        year1 = int(y1) if y1 else year2 - wraps
    elif y1:
        year1 = int(y1)
        year2 = year1 + wraps
    else:
        found = _year_of(mo2, _day(d2) if d2 else 1, ref)
        if found is None:
            return None
        year1, year2 = found - wraps, found
    start = _safe_date(year1, mo1, _day(d1) if d1 else 1)
    end = _safe_date(year2, mo2, _day(d2)) if d2 else _month_end(year2, mo2)
    return (start, end) if start and end and start <= end else None


def _month_day_year(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    day = _safe_date(int(m.group("y")), month_number(m.group("m")), _day(m.group("d")))
    return (day, day) if day else None


def _up_to_day(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """ "through July 24, 2022": the year so far, up to that day."""
    day = _month_day_year(m, ref)
    return (day[0].replace(month=1, day=1), day[1]) if day else None


def _month_year(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date]:
    year, month = int(m.group("y")), month_number(m.group("m"))
    return dt.date(year, month, 1), _month_end(year, month)


def _month_day(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    month, day = month_number(m.group("m")), _day(m.group("d"))
    year = _year_of(month, day, ref)
    date = _safe_date(year, month, day) if year else None
    return (date, date) if date else None


def _year_range(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    y1, y2 = int(m.group("y1")), int(m.group("y2"))
    return (dt.date(y1, 1, 1), dt.date(y2, 12, 31)) if y1 <= y2 else None


def _since_year(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    start = dt.date(int(m.group("y")), 1, 1)
    return (start, ref) if ref and ref >= start else None


def _part_of_year(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date]:
    year = int(m.group("y"))
    word = (m.group("n") or m.group("q") or "").lower()
    n = int(word) if word.isdigit() else _ORDINAL.get(word, 1)
    months = 6 if m.group("half") else 3
    first = (n - 1) * months + 1
    return dt.date(year, first, 1), _month_end(year, first + months - 1)


def _decade(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date]:
    start = int(m.group("y"))
    return dt.date(start, 1, 1), dt.date(start + 9, 12, 31)


def _year(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date]:
    year = int(m.group("y"))
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _relative_year(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    if ref is None:
        return None
    word = m.group("rel").lower()
    if word in ("this", "so far this", "earlier this", "the current"):
        return dt.date(ref.year, 1, 1), ref
    year = ref.year + (1 if word == "next" else -1)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _relative_month(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    if ref is None:
        return None
    if m.group("rel").lower() in ("this", "earlier this"):
        return ref.replace(day=1), ref
    last = ref.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def _relative_week(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    if ref is None:
        return None
    monday = ref - dt.timedelta(days=ref.weekday())
    if m.group("rel").lower() in ("this", "earlier this"):
        return monday, ref
    return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)


def _relative_day(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    if ref is None:
        return None
    word = m.group("rel").lower()
    day = ref - dt.timedelta(days=1) if word == "yesterday" else ref
    return day, day


def _weekday(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """A bare weekday in news copy is the latest such day on or before publication."""
    if ref is None:
        return None
    back = (ref.weekday() - weekday_number(m.group("wd"))) % 7
    if m.group("last") and back == 0:
        back = 7
    day = ref - dt.timedelta(days=back)
    return day, day


def _month_alone(m: re.Match, ref: dt.date | None) -> tuple[dt.date, dt.date] | None:
    month = month_number(m.group("m"))
    year = _year_of(month, 1, ref)
    return (dt.date(year, month, 1), _month_end(year, month)) if year else None


_SEP = r"\s*(?:to|through|thru|until|till|and|-|–|—)\s*"
_OF_YEAR = r",?\s*(?:of\s+|in\s+)?"

# Longest, most specific forms first: a span claimed by one is not read again by a later one.
_PATTERNS: list[tuple[PeriodBasis, str, Builder]] = [
    (
        PeriodBasis.STATED,
        rf"(?:(?:from|between)\s+)?(?P<m1>{MONTH_PATTERN})(?:\s+(?P<d1>{_DAY}))?(?:,?\s*(?P<y1>{_YEAR}))?"
        rf"{_SEP}(?P<m2>{MONTH_PATTERN})(?:\s+(?P<d2>{_DAY}))?(?:{_OF_YEAR}(?P<y2>{_YEAR}))?\b",
        _range,
    ),
    (
        PeriodBasis.STATED,
        rf"\b(?:through|thru|until|till|up to)\s+(?P<m>{MONTH_PATTERN})\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})",
        _up_to_day,
    ),
    (PeriodBasis.STATED, rf"\b(?P<m>{MONTH_PATTERN})\s+(?P<d>{_DAY}),?\s+(?P<y>{_YEAR})", _month_day_year),
    (PeriodBasis.STATED, rf"\b(?P<m>{MONTH_PATTERN}){_OF_YEAR}(?P<y>{_YEAR})", _month_year),
    (
        PeriodBasis.STATED,
        rf"(?:(?:from|between)\s+)?(?P<y1>{_YEAR}){_SEP}(?P<y2>{_YEAR_AFTER_DASH})",
        _year_range,
    ),
    (PeriodBasis.RELATIVE, rf"\bsince\s+(?P<y>{_YEAR})", _since_year),
    (
        PeriodBasis.STATED,
        r"\b(?:(?:the\s+)?(?P<n>first|second|third|fourth|1st|2nd|3rd|4th)\s+"
        r"(?:(?P<quarter>quarter)|(?P<half>half))|Q(?P<q>[1-4]))"
        rf"(?:\s+of)?\s+(?P<y>{_YEAR})",
        _part_of_year,
    ),
    (PeriodBasis.STATED, r"\b(?:the\s+)?(?P<y>1[89]\d0|20\d0)'?s\b", _decade),
    (PeriodBasis.STATED, f"(?P<y>{_YEAR_BARE})".join(_YEAR_GUARD), _year),
    (
        PeriodBasis.RELATIVE,
        r"\b(?P<rel>so far this|earlier this|this|last|next|the previous|the current)\s+year\b",
        _relative_year,
    ),
    (PeriodBasis.RELATIVE, r"\b(?P<rel>earlier this|this|last)\s+month\b", _relative_month),
    (PeriodBasis.RELATIVE, r"\b(?P<rel>earlier this|this|last)\s+week\b", _relative_week),
    (
        PeriodBasis.RELATIVE,
        r"\b(?P<rel>yesterday|today|tonight|this morning|this afternoon)\b",
        _relative_day,
    ),
    (
        PeriodBasis.RELATIVE,
        rf"\b(?P<last>last\s+)?(?P<wd>{WEEKDAY_PATTERN})\b",
        _weekday,
    ),
    (
        PeriodBasis.RELATIVE,
        rf"\b(?:in|since|by|during|until)\s+(?P<m>{MONTH_PATTERN})\b(?!\s+\d)",
        _month_alone,
    ),
    (PeriodBasis.STATED, rf"\b(?P<m>{MONTH_PATTERN})\s+(?P<d>{_DAY})\b(?![,\d:])", _month_day),
]
_COMPILED = [(basis, re.compile(p, re.IGNORECASE), build) for basis, p, build in _PATTERNS]
_NAME_GROUPS = ("m", "m1", "m2", "wd")


def _names_capitalised(m: re.Match) -> bool:
    groups = m.groupdict()
    return all(groups[g][0].isupper() for g in _NAME_GROUPS if groups.get(g))


def _a_name(m: re.Match, text: str) -> bool:
    """ "Today" capitalised after the sentence's first word, or in capitals, names something
    ("USA TODAY", "Florida Today", the "Today" show) rather than the day."""
    word = m.group("rel")
    return word.isupper() or (word[0].isupper() and bool(text[: m.start()].strip(" \"'“‘(")))


def find_periods(text: str, ref: dt.date | None, *, any_case: bool = False) -> list[Period]:
    """Every period stated in `text`, in reading order.

    News copy capitalises months and weekdays ("May" the month, "may" the verb), so in article
    text they must be capitalised, and "Today" past a sentence's start must not be (a name:
    "USA TODAY"); typed questions ("in january 2022") use `any_case`.
    """
    found: list[tuple[int, Period]] = []
    taken: list[tuple[int, int]] = []
    for basis, pattern, build in _COMPILED:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            if not any_case and not _names_capitalised(m):
                continue
            if not any_case and build is _relative_day and _a_name(m, text):
                continue
            dates = build(m, ref)
            if dates is None:
                continue
            taken.append((m.start(), m.end()))
            period = Period(start=dates[0], end=dates[1], text=m.group().strip(), basis=basis)
            found.append((m.start(), period))
    return [p for _, p in sorted(found, key=lambda item: item[0])]


# Words among a sentence's first seven that refer to what came before: "those cases", "that's".
# Words and the separators between them alternate, so each run of separators is read one way
# only and the match takes linear time (an optional separator before each word took ~n^6).
_POINTS_BACK = re.compile(
    r"^(?:\W*\w+(?:\W+\w+){0,5}\W+)?(?:those|these|that|such|the same|of them|that's)\b", re.IGNORECASE
)


def tag_sentences(
    sentences: Sequence[str], paragraph_of: Sequence[int], published: dt.date | None
) -> list[tuple[Period, ...]]:
    """The periods each sentence of an article speaks about.

    A sentence that names no time of its own speaks about what the sentence before it did when
    it is in the same paragraph or points back to it ("Just 57 of those cases..."); otherwise it
    falls back to the publication date.
    """
    tags: list[tuple[Period, ...]] = []
    for i, text in enumerate(sentences):
        own = tuple(find_periods(text, published))
        continues = i > 0 and (paragraph_of[i] == paragraph_of[i - 1] or _POINTS_BACK.search(text))
        if own:
            tags.append(own)
        elif continues and tags[i - 1] and tags[i - 1][0].basis is not PeriodBasis.PUBLISHED:
            tags.append(tuple(p.model_copy(update={"basis": PeriodBasis.CONTEXT}) for p in tags[i - 1]))
        elif published is not None:
            tags.append((Period(start=published, end=published, text="", basis=PeriodBasis.PUBLISHED),))
        else:
            tags.append(())
    return tags


def most_specific(periods: Sequence[Period]) -> Period | None:
    """The narrowest period, preferring ones stated in the text: the best label for a figure."""
    if not periods:
        return None
    return min(
        periods, key=lambda p: (p.basis is PeriodBasis.PUBLISHED, p.basis is PeriodBasis.CONTEXT, p.days)
    )


def label(period: Period) -> str:
    """How a period is shown: its own words where it had some, else its dates."""
    if period.text:
        return period.text
    if period.start == period.end:
        return period.start.isoformat()
    return f"{period.start.isoformat()} to {period.end.isoformat()}"
