"""Word-level helpers shared by question analysis, lexical search and answer spans."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not of off on once only or other our ours out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom whose why will with would you your yours yourself tell me please many much
    happened happen happens did does say said says according know there's what's who's""".split()
)

_LETTER = r"[^\W\d_]"  # a letter of any script
_WORD = re.compile(rf"{_LETTER}(?:{_LETTER}|['-])*{_LETTER}|{_LETTER}|\d[\d,.:]*\d|\d")


_ENGLISH = snowballstemmer.stemmer("english")
_ENGLISH_LOCK = threading.Lock()  # the stemmer keeps its word in itself: one word at a time


# A language has a bounded working vocabulary: memoising per word makes terms of a whole chunk
# cheap enough for every ingest and every answer.
@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Porter2 stem, so that 'investigating', 'investigates' and 'investigation' meet.

    Accents and inner punctuation go first ('Beyoncé' meets 'Beyonce', '2,098' meets '2098'):
    a stem is letters and digits only, which also makes it exactly one full-text token.
    """
    word = word.lower().strip("'")
    if word.endswith("'s"):
        word = word[:-2]
    word = "".join(ch for ch in unicodedata.normalize("NFKD", word) if ch.isalnum())
    with _ENGLISH_LOCK:
        return _ENGLISH.stemWord(word)


def composed(text: str) -> str:
    """`text` in Unicode's composed form (NFC): a letter and its combining accent
    ("e\u0301", as some exports write them) become the one character they look like ("é"),
    which word matching reads as a letter where a lone combining mark breaks the word."""
    return unicodedata.normalize("NFC", text)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of `text` (as `words` finds them) starts and ends."""
    return [m.span() for m in _WORD.finditer(text)]


def index_terms(text: str) -> str:
    """The full-text index's view of a text: every word's stem, stop words and repeats kept
    (they count for term frequency and length), separated by spaces."""
    return " ".join(filter(None, (stem(w) for w in words(text))))


def content_terms(text: str) -> list[str]:
    """Stemmed words that carry meaning, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(text):
        lowered = word.lower()
        if lowered in STOPWORDS or (len(lowered) < 2 and not lowered.isdigit()):
            continue
        term = stem(lowered)
        if term:
            seen.setdefault(term, None)
    return list(seen)
