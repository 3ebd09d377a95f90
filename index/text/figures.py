"""Figures as records: each count or amount in a sentence, its value parsed, what it counts,
where and for which period."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import FigureValue, Period, PeriodBasis
from .attribution import attributed_source
from .calendar_names import is_calendar_word
from .counting import counted_thing
from .periods import most_specific
from .spans import QUALIFIERS, Span, figure_spans, period_spans

_CURRENCIES = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR"}
_MAGNITUDES = {
    "k": 1e3, "thousand": 1e3, "hundred": 1e2, "m": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9,
    "tn": 1e12, "trillion": 1e12, "dozen": 12,
}  # fmt: skip
_WORD_NUMBERS = {
    w: n
    for n, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# How units are named in records: one name for each way of writing it.
_UNIT_NAMES = {"%": "percent", "per cent": "percent", "percent": "percent", "pc": "percent", "p": "pence"}
_QUALIFIER = re.compile(rf"(?:{'|'.join(QUALIFIERS)})\b", re.IGNORECASE)
_VALUE = re.compile(
    r"(?P<cur>[$£€¥₹])?\s?(?P<num>\d[\d,]*+(?:\.\d++)?+)(?:\s?(?P<mag>bn|tn|m|k|million|billion|"
    r"trillion|thousand|hundred)\b)?\s?(?P<unit>%|per ?cent\b|[^\W\d_][\w/-]*+)?",
    re.IGNORECASE,
)
_WORDS_VALUE = re.compile(
    r"(?:(?:a|one)\s)?(?P<word>[a-z]+?)(?:s)?\b(?:\s(?P<unit>[^\W\d_]+))?", re.IGNORECASE
)
# What may stand between a figure and the period it is for: "1,500 in 2004", "942 cases during".
_FEW_WORDS = re.compile(r"\W*+(?:[^\W\d]++\W++){0,3}")
# A name that may be a place: capitalised words, "of" inside ("Isle of Wight").
_NAME_RUN = re.compile(r"[A-Z][\w'’.-]*+(?:\s++(?:of\s++)?[A-Z][\w'’.-]*+)*+")
# A place is a name after one of these, or the one that "saw" or "recorded" the figure.
_PLACE_BEFORE = re.compile(r"\b(?:in|across|throughout|around|near|outside|at)\s+(?:the\s+)?$", re.IGNORECASE)
_PLACE_AFTER = re.compile(r"^\s+(?:saw|recorded|logged|reported|had|counted)\b")
# Names of bodies, not places: "Cook County Sheriff's Office", "NBC 5 Investigates".
_BODY = re.compile(
    r"\b(?:Office|Department|Police|Times|Tribune|News|Post|Investigates|Bureau|Agency|Council|"
    r"Commission|Association|University|Institute|Inc|Corp|Company|Party|Court|Sheriff)\b"
)


def parse_value(text: str) -> FigureValue | None:
    """ "nearly 2,098" -> 2098 "nearly"; "£124bn" -> 1.24e11 GBP; "12.3%" -> 12.3 percent."""
    rest = text.strip()
    qualifier = None
    found = _QUALIFIER.match(rest)
    if found:
        qualifier = found.group().lower()
        rest = rest[found.end() :].strip()
    rest = rest.removesuffix("-year-old")
    m = _VALUE.fullmatch(rest)
    if m:
        number = float(m.group("num").replace(",", ""))
        magnitude = (m.group("mag") or "").lower()
        unit = (m.group("unit") or "").lower() or None
    else:
        w = _WORDS_VALUE.fullmatch(rest)
        word = w.group("word").lower() if w else ""
        if not w or (word not in _WORD_NUMBERS and word not in _MAGNITUDES):
            return None
        number = float(_WORD_NUMBERS.get(word, 1))
        magnitude = word if word in _MAGNITUDES else ""
        unit = (w.group("unit") or "").lower() or None
        if unit in _MAGNITUDES:  # "two hundred"
            number, unit = number * _MAGNITUDES[unit], None
    number *= _MAGNITUDES.get(magnitude, 1)
    if not math.isfinite(number):  # "999...9" past a float's range is no figure anyone reports
        return None
    if text.endswith("-year-old"):
        unit = "years old"
    currency = _CURRENCIES.get(m.group("cur")) if m and m.group("cur") else None
    if unit in ("p", "pence"):
        currency = "GBP"
    return FigureValue(
        text=text,
        number=number,
        unit=_UNIT_NAMES.get(unit, unit) if unit else None,
        currency=currency,
        qualifier=qualifier,
    )


def figure_period(text: str, span: Span, periods: Sequence[Period]) -> Period | None:
    """The period a figure covers. Of periods that overlap ("Earlier this year, ... from January
    to April of 2022") the narrowest; of periods apart ("rose from 1,200 in 2003 to 1,500 in
    2004") the one a few words after the figure, else the nearest. A sentence that states none
    (its only period its article's date) gives none."""
    stated = [p for p in periods if p.basis is not PeriodBasis.PUBLISHED]
    in_words = [p for p in stated if p.basis.in_words]
    apart = any(not a.overlaps(b) for a in in_words for b in in_words)
    located = [(p, at) for p in in_words for at in period_spans(text, [p])] if apart else []
    following = [
        (p, at) for p, at in located if at[0] >= span[1] and _FEW_WORDS.fullmatch(text[span[1] : at[0]])
    ]
    if following:
        return min(following, key=lambda pa: pa[1][0])[0]
    if located:
        return min(located, key=lambda pa: min(abs(pa[1][0] - span[1]), abs(span[0] - pa[1][1])))[0]
    return most_specific(stated)


def place_of(text: str, excluded: Sequence[Span]) -> str | None:
    """The place a sentence's figures are about: a name after "in", "across", ..., or the one
    that "saw" them; never a body ("Sheriff's Office"), a month or day, nor a name inside
    `excluded` (the source)."""
    for m in _NAME_RUN.finditer(text):
        start, end = m.start(), m.start() + len(m.group().rstrip("."))
        name = text[start:end]
        if _BODY.search(name) or is_calendar_word(name) or any(start < b and a < end for a, b in excluded):
            continue
        # Only the words right around the name matter: a long sentence is not read again per name.
        if _PLACE_BEFORE.search(text[max(0, start - 30) : start]) or _PLACE_AFTER.match(text[end : end + 30]):
            return name
    return None


@dataclass(frozen=True)
class SentenceFigure:
    """A figure of a sentence, as the store keeps it (offsets within the sentence)."""

    start: int
    end: int
    value: FigureValue
    thing: str | None
    part_of_previous: bool
    place: str | None
    period: Period | None
    attributed_to: str | None


def _hyphened_on(text: str, start: int) -> bool:
    """ "Covid-19", "F-35", "2003-05", "85-90": a number hyphened onto a word or another number is
    part of a name or of a range, not a figure of its own."""
    return start >= 2 and text[start - 1] in "-–" and text[start - 2].isalnum()


def _describes(value: FigureValue, text: str, start: int) -> bool:
    """Numbers in words that describe rather than count: small ones ("two doses", "one of the
    officers"), vague plurals ("hundreds dead") and the parts of a longer number ("two hundred
    thousand"). On the RealTimeQA articles they were most of the figures a topic listed."""
    if any(ch.isdigit() for ch in value.text):
        return False
    before = text[max(0, start - 30) : start].split()[-1:]  # the word before, not the whole text
    return (
        value.number < 10
        or value.text.lower().rstrip("s") != value.text.lower()
        or (bool(before) and (before[0].lower() in _WORD_NUMBERS or before[0].lower() in _MAGNITUDES))
    )


def sentence_figures(text: str, periods: Sequence[Period]) -> list[SentenceFigure]:
    """Every figure of a sentence whose value parses, with what it counts, where and when."""
    source = attributed_source(text)
    place = place_of(text, [source] if source else [])
    found = []
    for start, end in figure_spans(text, periods):
        span = (start, start + len(text[start:end].rstrip(",")))  # "1,500, the council said"
        value = parse_value(text[span[0] : span[1]])
        if value is None or _hyphened_on(text, start) or _describes(value, text, start):
            continue
        counted = counted_thing(text, span)
        found.append(
            SentenceFigure(
                start=span[0],
                end=span[1],
                value=value,
                thing=counted.thing if counted else None,
                part_of_previous=bool(counted and counted.part_of_previous),
                place=place,
                period=figure_period(text, span, periods),
                attributed_to=text[source[0] : source[1]] if source else None,
            )
        )
    return found
