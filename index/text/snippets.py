"""A search hit's snippet: the words a query matched, marked, and a sentence too long to show
cut at word boundaries around the first of them, with an ellipsis where it was cut."""

from __future__ import annotations

from collections.abc import Collection

from .terms import STOPWORDS, stem, word_spans

Span = tuple[int, int]
ELLIPSIS = "…"


def matched_words(text: str, terms: Collection[str]) -> list[Span]:
    """The words of `text` whose stems are among the query's content `terms`."""
    return [
        (a, b) for a, b in word_spans(text) if text[a:b].lower() not in STOPWORDS and stem(text[a:b]) in terms
    ]


def cut(text: str, marks: list[Span], limit: int) -> tuple[str, list[Span]]:
    """`text` at most `limit` characters long, cut only between words, keeping the first mark
    (and as much after it as fits); the marks shifted into the cut text, those outside dropped."""
    if len(text) <= limit:
        return text, marks
    room = limit - 2 * (len(ELLIPSIS) + 1)
    focus = marks[0][0] if marks else 0
    start = max(0, min(focus - room // 3, len(text) - room))
    end = start + room
    if start > 0:  # begin at a word: after the space at or before `start`
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and space + 1 <= focus else start
        end = min(len(text), start + room)
    if end < len(text):  # end at a word: at the last space before `end`
        space = text.rfind(" ", start, end + 1)
        end = space if space > start else end
    head = f"{ELLIPSIS} " if start > 0 else ""
    tail = f" {ELLIPSIS}" if end < len(text) else ""
    shift = len(head) - start
    kept = [(a + shift, b + shift) for a, b in marks if start <= a and b <= end]
    return head + text[start:end] + tail, kept
