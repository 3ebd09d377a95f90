"""Where in a sentence a figure, a time or a name is: character spans, for answers to point at."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Period
from .calendar_names import MONTH_NAMES, MONTH_PATTERN, WEEKDAY_NAMES, is_calendar_word
from .terms import content_terms

Span = tuple[int, int]

# Words before a figure that say how exact it is: "nearly 2,098", "more than 500".
QUALIFIERS = (
    "nearly", "almost", "about", "around", "approximately", "roughly", "more than", "less than",
    "fewer than", "over", "under", "at least", "at most", "some", "just", "only", "up to",
    "close to", "an estimated", "a total of",
)  # fmt: skip
_QUALIFIER = rf"(?:(?:{'|'.join(QUALIFIERS)})\s+)?"
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"(?:a |one )?(?:dozen|hundred|thousand|million|billion)s?)"
)
_CURRENCY = r"[$£€¥₹]"
# Units a figure is given in: kept with it ("9.85 seconds", "12 miles"), so that an answer shows
# what was measured.
_UNITS = (
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|"
    r"miles?|kilometres?|kilometers?|km|metres?|meters?|m|feet|foot|ft|inches|inch|"
    r"kilograms?|kg|grams?|g|tonnes?|tons?|pounds?|lbs?|litres?|liters?|gallons?|mph|km/h|"
    r"degrees?|points?|votes?|goals?|runs?|per ?cent|percent|pence|p|pc)"
)
# Magnitudes written onto the number or after it: "£124bn", "€5m", "$2.3 billion", "30k".
_MAGNITUDE = r"(?:bn|tn|m|k|million|billion|trillion|thousand|hundred)"
_NUMBER = r"\d[\d,]*+(?:\.\d++)?+(?!\d)"
_FIGURE = re.compile(
    rf"(?<![\w$£€¥₹.,]){_QUALIFIER}(?:"
    rf"{_CURRENCY}\s?{_NUMBER}(?:\s?{_MAGNITUDE}\b)?"  # £124bn, $ 4.5 million
    rf"|{_NUMBER}(?:{_MAGNITUDE}\b|\s(?:{_MAGNITUDE})\b)?(?:\s?%|\s{_UNITS}\b|(?<=\d)(?:p|pc)\b)?"
    rf"|{_NUMBER_WORDS}\b(?:\s{_UNITS}\b)?"
    r")(?:-year-old)?(?!\s+block\b)",
    re.IGNORECASE,
)
CLOCK = re.compile(r"\b\d{1,2}(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)", re.IGNORECASE)
_PHONE = re.compile(r"\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}")
# Numbers that are part of a name: "NBC 5", "COVID-19", "Route 66", "Area 2", and any number
# right after a capitalised word inside a sentence: "Commodore 64", "Ocean's Twelve", "Apollo 11"
# (a figure at the start of a sentence, "Nearly 500", is not a name).
_NAMED_NUMBER = re.compile(
    r"\b(?:[A-Z]{2,}|Route|Highway|Interstate|Channel|Area|District|Ward|Precinct|Station|"
    r"Room|Gate|Terminal|Line|No\.)[ -](\d+)\b"
    rf"|(?<=[a-z,;:] )(?!(?:{'|'.join(WEEKDAY_NAMES + MONTH_NAMES)})\b)[A-Z][a-z]+(?:'s|’s)? "
    r"(\d+|[A-Z][a-z]+teen|[A-Z][a-z]+ty|Twelve|Eleven|Ten)\b"
)
_NAME = re.compile(r"(?:[A-Z][\w'’.-]*\s)*[A-Z][\w'’.-]*(?:\s(?:of|the|de|for)\s(?:[A-Z][\w'’-]*\s?)+)?")


def overlaps(span: Span, others: Sequence[Span]) -> bool:
    return any(span[0] < b and a < span[1] for a, b in others)


def period_spans(text: str, periods: Sequence[Period]) -> list[Span]:
    """Where the sentence's own words state its periods."""
    spans = []
    for p in periods:
        if p.text and p.basis.in_words:
            at = text.find(p.text)
            if at >= 0:
                spans.append((at, at + len(p.text)))
    return spans


def figure_spans(text: str, periods: Sequence[Period]) -> list[Span]:
    """Counts and amounts in a sentence: not its dates, clock times, phone numbers or names."""
    excluded = period_spans(text, periods)
    excluded += [m.span() for m in CLOCK.finditer(text)] + [m.span() for m in _PHONE.finditer(text)]
    excluded += [m.span(1) if m.group(1) else m.span(2) for m in _NAMED_NUMBER.finditer(text)]
    return [m.span() for m in _FIGURE.finditer(text) if not overlaps(m.span(), excluded)]


_ORDINAL = (
    r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
    r"eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|"
    r"nineteenth|twentieth|twenty-first)"
)
_ERA_SUFFIX = r"(?:\s*(?:AD|BC|BCE|CE)\b)?"
_YEAR_LEAD = r"in|by|of|to|and|or|since|from|until|till|circa|during|before|after|around|between"
# Times before the years periods are read in (1800 on, index/text/periods.py): centuries, decades
# and years in a year's context ("in 1066", "February 1082", "between 1016 and 1035", "911 AD"),
# not a count ("in 1500 homes", "by 250 percent"). `lead` is the word before a year, not shown.
_ERA = re.compile(
    rf"\b(?:the\s+)?(?:(?:early|late|mid)[\s-]+)?{_ORDINAL}(?:\s*(?:and|or|to|-|–)\s*{_ORDINAL})?"
    rf"[\s-]centur(?:y|ies){_ERA_SUFFIX}"
    r"|\b(?:the\s+)?(?:(?:early|late|mid)[\s-]+)?[1-9]\d{1,2}0'?s\b"
    rf"|(?:\b{MONTH_PATTERN}\s+(?:\d{{1,2}},?\s+)?|(?P<lead>\b(?:{_YEAR_LEAD})\s+))"
    rf"(?:AD\s+)?[1-9]\d{{2,3}}+(?![\d,.]\d){_ERA_SUFFIX}"
    r"(?!\s*(?:%|per ?cent|percent|points?\b|[a-z]+s\b))"
    r"|\b[1-9]\d{0,3}+\s*(?:AD|BC|BCE)\b",
    re.IGNORECASE,
)


def era_spans(text: str) -> list[Span]:
    return [(m.end("lead") if m.group("lead") else m.start(), m.end()) for m in _ERA.finditer(text)]


def time_spans(text: str, periods: Sequence[Period]) -> list[Span]:
    """What a "when" question is answered with: the periods the sentence states, its clock times,
    and the centuries, decades and years before 1800 that periods are not read in."""
    spans = period_spans(text, periods) + [m.span() for m in CLOCK.finditer(text)]
    return spans + [span for span in era_spans(text) if not overlaps(span, spans)]


def clock_spans(text: str) -> list[Span]:
    return [m.span() for m in CLOCK.finditer(text)]


def name_spans(text: str, question_terms: set[str]) -> list[Span]:
    """Capitalised names the question does not already contain: not the sentence's first word
    alone, not a month or weekday ("Tuesday."), not a name the question itself gives (its
    place, its subject), without the full stop that ends the sentence."""
    spans = []
    for m in _NAME.finditer(text):
        name = m.group().rstrip().rstrip(".,;:")
        if not name or (m.start() == 0 and " " not in name) or is_calendar_word(name):
            continue
        if set(content_terms(name)) - question_terms:
            spans.append((m.start(), m.start() + len(name)))
    return spans
