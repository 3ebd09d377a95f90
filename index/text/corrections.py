"""Correction and update notes in an article's text, and the sentences a correction says were
wrong: recognised at ingest, stored with the article, shown with its citations."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .calendar_names import MONTH_PATTERN, month_number
from .terms import content_terms

# A paragraph (one line of news copy) that is a note: "Correction:", "Clarification (March 6):",
# "Editor's note:", "UPDATE:", "Updated March 6, 2024", "An earlier version of this story ...",
# "This article has been updated ...". Markdown emphasis around it is allowed. None of the 3,584
# sentences of the SQuAD 2.0 dev half, each read as a paragraph, is taken for a note.
_NOTE = re.compile(
    r"^[ \t*_>]{0,6}(?:"
    r"(?:correction|clarification|editor['’]s note|update)s?(?:[ \t]*[(,][^:\n)]{0,40}\)?)?[ \t]*:"
    rf"|updated(?:[ \t]+(?:on|at))?[ \t]*(?::|{MONTH_PATTERN}\b|\d)"
    r"|an? (?:earlier|previous|prior) version of this (?:story|article|report|post)\b"
    r"|this (?:story|article|report|post) (?:has been|was|is) (?:updated|corrected)\b"
    r")",
    re.IGNORECASE,
)
_MAX_NOTE_CHARS = 600
_DATE = re.compile(
    rf"\b(?P<month>{MONTH_PATTERN}) (?P<day>\d{{1,2}}),? (?P<year>\d{{4}})\b"
    r"|\b(?P<iso>\d{4}-\d{2}-\d{2})\b"
)
# What the note says the story got wrong: "... said the fire began on Monday." up to the sentence end.
_CLAIM = re.compile(
    r"\b(?:incorrectly |wrongly |mistakenly )?(?:said|stated|reported|misstated|misidentified|gave)"
    r" (?:that )?(?P<claim>[^.;\n]{3,300})",
    re.IGNORECASE,
)
_MIN_CLAIM_TERMS = 2


@dataclass(frozen=True)
class Note:
    """The article's notes, verbatim and joined, where they are, and the latest date they give."""

    text: str
    ranges: tuple[tuple[int, int], ...]
    updated: dt.date | None
    claims: tuple[str, ...]


def _note_date(text: str) -> dt.date | None:
    found = []
    for m in _DATE.finditer(text):
        try:
            if m["iso"]:
                found.append(dt.date.fromisoformat(m["iso"]))
            else:
                found.append(dt.date(int(m["year"]), month_number(m["month"]), int(m["day"])))
        except ValueError:
            continue
    return max(found, default=None)


def find_note(text: str) -> Note | None:
    """The correction and update notes of `text` (paragraphs that open like one), or None."""
    ranges, texts, claims = [], [], []
    for line in re.finditer(r"[^\n]+", text):
        paragraph = line.group()
        if len(paragraph) <= _MAX_NOTE_CHARS and _NOTE.match(paragraph):
            ranges.append((line.start(), line.end()))
            texts.append(paragraph.strip(" \t*_>"))
            claims += [m["claim"].strip() for m in _CLAIM.finditer(paragraph)]
    if not ranges:
        return None
    joined = " ".join(texts)
    return Note(text=joined, ranges=tuple(ranges), updated=_note_date(joined), claims=tuple(claims))


def wrong_sentences(sentences: Sequence[str], note: Note) -> set[int]:
    """Positions of the sentences that repeat a claim the note says was wrong: each holds every
    content word of the claim (an outlet that appends a correction without fixing the text)."""
    wanted = [set(terms) for claim in note.claims if len(terms := content_terms(claim)) >= _MIN_CLAIM_TERMS]
    if not wanted:
        return set()
    return {
        i
        for i, sentence in enumerate(sentences)
        if any(claim <= set(content_terms(sentence)) for claim in wanted)
    }
