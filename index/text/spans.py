"""Where in a sentence a figure, a time or a name is: character spans, for answers to point at."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Period
from .calendar_names import is_calendar_word
from .terms import content_terms

Span = tuple[int, int]

_QUALIFIER = (
    r"(?:(?:nearly|almost|about|around|approximately|roughly|more than|less than|fewer than|over|"
    r"under|at least|at most|some|just|only|up to|close to|an estimated|a total of)\s+)?"
)
_NUMBER_WORDS = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"(?:a |one )?(?:dozen|hundred|thousand|million|billion)s?)"
)
_FIGURE = re.compile(
    rf"(?<![\w$.,]){_QUALIFIER}(?:\$\s?\d[\d,]*(?:\.\d+)?(?!\d)|\d[\d,]*(?:\.\d+)?(?!\d)|{_NUMBER_WORDS}\b)"
    r"(?:\s?(?:%|percent|million|billion|thousand))?(?:-year-old)?(?!\s+block\b)",
    re.IGNORECASE,
)
CLOCK = re.compile(r"\b\d{1,2}(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)", re.IGNORECASE)
_PHONE = re.compile(r"\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}")
# Numbers that are part of a name: "NBC 5", "COVID-19", "Route 66", "Area 2".
_NAMED_NUMBER = re.compile(
    r"\b(?:[A-Z]{2,}|Route|Highway|Interstate|Channel|Area|District|Ward|Precinct|Station|"
    r"Room|Gate|Terminal|Line|No\.)[ -](\d+)\b"
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
    excluded += [m.span(1) for m in _NAMED_NUMBER.finditer(text)]
    return [m.span() for m in _FIGURE.finditer(text) if not overlaps(m.span(), excluded)]


def time_spans(text: str, periods: Sequence[Period]) -> list[Span]:
    return period_spans(text, periods) + [m.span() for m in CLOCK.finditer(text)]


def clock_spans(text: str) -> list[Span]:
    return [m.span() for m in CLOCK.finditer(text)]


def name_spans(text: str, question_terms: set[str]) -> list[Span]:
    """Capitalised names the question does not already contain (the sentence's first word aside)."""
    spans = []
    for m in _NAME.finditer(text):
        if (m.start() == 0 and " " not in m.group()) or is_calendar_word(m.group()):
            continue
        if set(content_terms(m.group())) - question_terms:
            spans.append((m.start(), m.start() + len(m.group().rstrip())))
    return spans
