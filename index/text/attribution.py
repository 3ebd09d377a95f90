"""Whom a sentence attributes what it says to: "according to city data", "the Cook County
Sheriff's Office confirms", "ABC 7 Chicago reports", "..., Supt. Brown said"."""

from __future__ import annotations

import re

from .calendar_names import is_calendar_word
from .spans import Span

# A name: capitalised words, numbers inside it ("NBC 5 Investigates"), small joining words.
_NAME = r"[A-Z][\w'’.&-]*+(?:\s++(?:(?:of|the|for|and|de)\s++)?(?:[A-Z][\w'’.&-]*+|\d++))*+"
# A body that is not a name: "police", "officials", "city data", "a spokesperson".
_COMMON = (
    r"(?i:(?:(?:city|state|county|federal|police|court|government|official|hospital|company|census)\s++)?"
    r"(?:police|officials?|authorities|investigators|prosecutors|data|records|figures|statistics|"
    r"reports|estimates|researchers|experts|analysts|spokesperson|spokesman|spokeswoman|president|"
    r"director|chief|mayor|governor|minister|secretary))"
)
_VERB = (
    r"(?:said|says|say|confirms?|confirmed|reports?|reported|told|tells|announced|announces|stated|"
    r"states|estimates?|estimated|found|finds|shows?|showed|noted|notes|wrote|writes|according)"
)
_SOURCE = rf"(?:the\s++)?+(?:{_NAME}|{_COMMON})"
_ACCORDING = re.compile(
    rf"\b(?i:according)\s++to\s++(?:(?:data|figures|statistics|numbers|records)\s++"
    rf"(?:\w+\s++)?(?:from|by|of)\s++)?(?P<src>{_SOURCE}(?:\s++(?:data|figures|records))?)",
)
# A body or a name (in that order: "Police data" before "Police"), each read once, left to right,
# and then whether a verb of saying follows it: a subject-then-verb pattern would try every word
# as a name's start and read the rest of the name again each time (quadratic time).
_SUBJECT = re.compile(rf"(?P<src>(?:the\s++)?+(?:{_COMMON}|{_NAME}))")
_VERB_AFTER = re.compile(rf"(?<!\s)\s++(?:has\s++|have\s++)?(?!according){_VERB}\b")
_VERB_SUBJECT = re.compile(rf"\b(?:said|says|according\s++to)\s++(?P<src>{_NAME})[\s.,;]*$")
_ARTICLE = re.compile(r"^the\s+", re.IGNORECASE)


def _trimmed(text: str, m: re.Match) -> Span:
    """The source without "the" before it or the full stop after it."""
    start, end = m.span("src")
    lead = _ARTICLE.match(text[start:end])
    return (start + lead.end() if lead else start, start + len(text[start:end].rstrip(".")))


def attributed_source(sentence: str) -> Span | None:
    """Where in the sentence the source it names is ("the" left out), if it names one."""
    for pattern in (_ACCORDING, _VERB_SUBJECT):
        m = pattern.search(sentence)
        if m:
            return _trimmed(sentence, m)
    for m in _SUBJECT.finditer(sentence):
        if _VERB_AFTER.match(sentence, m.end()) and not is_calendar_word(m.group().strip()):
            return _trimmed(sentence, m)
    return None
