"""What a figure counts: the words after it, read the same way for a question's "how many
carjackings" and for a sentence's "942 vehicular hijackings"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .spans import Span
from .terms import STOPWORDS, words

# Words that join a measure to what it measures: "incidents of vehicular hijacking".
_JOINS = frozenset({"of"})
# A figure that counts part of what the sentence before counted: "57 of those cases".
# Each starts where a run of spaces does ("(?<!\s)"): read from inside one, they would read the
# rest of the run again at each of its positions.
_PARTITIVE = re.compile(r"(?<!\s)\s*+of\s++(those|these|the|them|which)\b", re.IGNORECASE)
# What that part came to: "57 of those cases have resulted in an arrest" counts arrests.
_OUTCOME = re.compile(
    r"(?<!\s)\s*+(?:(?:have|has|had|were|was)\s++)?(?:resulted\s++in|led\s++to|ended\s++(?:in|with))"
    r"\s++(?:an?\s++)?+([^\W\d_][\w'’-]*+)",
    re.IGNORECASE,
)
# Words after a figure that make it a time, an age, a rank or a multiple, not a count of things.
_NOT_COUNTED = frozenset(
    "ago old later earlier away apart long times first top last next thing things".split()
)
# Adverbs that follow what is counted: "1.4 million shots overall", "300 arrests statewide".
_ADVERBS = frozenset(
    "overall total alone already now each apiece statewide nationwide worldwide combined".split()
)
# Punctuation ends what a figure counts: "942 vehicular hijackings, which averages ...".
_CLAUSE_END = re.compile(r"[,;:.()\[\]\"“”—–!?]")


def window(text: str, span: Span, count: int) -> str:
    """A figure and the words after it: "nearly 2,098 incidents of vehicular hijacking"."""
    after = text[span[1] :].split()[:count]
    return " ".join([text[span[0] : span[1]], *after])


def shares_word(wanted: set[str], found: Sequence[str]) -> bool:
    """'shot' is in 'gunshots', 'year' in '32-year-old': a shared stem, whole or inside a word."""
    return any(w == x or (len(w) >= 4 and w in x) for w in wanted for x in found)


def noun_phrase(
    tokens: Sequence[str],
    *,
    limit: int = 3,
    skip_leading: bool = True,
    joins: frozenset[str] = frozenset(),
    verbs_end: bool = False,
    ends_at: frozenset[str] = frozenset(),
) -> str | None:
    """The first run of up to `limit` content words: what is counted. Leading stop words are
    skipped where `skip_leading` ("how many of the carjackings"); a word in `joins` may link two
    parts ("incidents of vehicular hijacking"); with `verbs_end` (in a sentence, not a question),
    a word after the first that ends in -ed or -ly, is capitalised or is an adverb ends it; so
    does a word of `ends_at` (lowercase: a question's period, "carjackings last year")."""
    phrase: list[str] = []
    content = 0
    for word in tokens:
        lowered = word.lower()
        if phrase and lowered in joins and phrase[-1].lower() not in joins:
            phrase.append(word)
            continue
        # In a sentence a later word ending in -ed is a verb ("people attempted"), a later
        # capitalised one a name or a month ("two doses March"), one ending in -ly or in
        # _ADVERBS says how or when ("shots overall").
        later = verbs_end and content > 0
        ends = later and (lowered.endswith(("ed", "ly")) or word[0].isupper() or lowered in _ADVERBS)
        stop = lowered in STOPWORDS or word[0].isdigit() or ends or lowered in ends_at
        if stop and (phrase or not skip_leading):
            break
        if not stop:
            phrase.append(word)
            content += 1
        if content == limit:
            break
    while phrase and phrase[-1].lower() in joins:
        phrase.pop()
    return " ".join(phrase) or None


def plural(noun: str) -> str:
    """ "arrest" -> "arrests", "injury" -> "injuries": counted things are named in the plural."""
    lowered = noun.lower()
    if lowered.endswith("s"):
        return noun
    if lowered.endswith("y") and lowered[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if lowered.endswith(("x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


@dataclass(frozen=True)
class Counted:
    """What a figure in a sentence counts."""

    thing: str  # "incidents of vehicular hijacking", "arrests"
    part_of_previous: bool  # "57 of those cases": part of what the sentence before counted


def _names_a_thing(word: str) -> bool:
    """A counted thing starts with a common noun ("carjackings"), or a plural name ("Democrats"):
    not "U" of "5 U.S. states", nor "Source"."""
    lowered = word.lower()
    if lowered in _NOT_COUNTED or len(word) < 2:
        return False
    return word[0].islower() or (lowered.endswith("s") and len(word) > 3 and not word.isupper())


def counted_thing(text: str, span: Span, limit: int = 3) -> Counted | None:
    """What the figure at `span` counts, read from the words right after it, up to the end of
    its clause; None when no noun follows ("more than four a day", "two years ago", "the 25th",
    "a 45-yard touchdown")."""
    if not text[span[1] : span[1] + 1].isspace():
        return None
    rest = text[span[1] :]
    end = _CLAUSE_END.search(rest)
    rest = rest[: end.start()] if end else rest
    partitive = _PARTITIVE.match(rest)
    if partitive:
        after = rest[partitive.end() :]
        # "of those cases ...", or a pronoun alone: "12 of them ended in a conviction".
        base = (
            None
            if partitive.group(1).lower() in ("them", "which")
            else noun_phrase(words(after), limit=3, skip_leading=False, verbs_end=True)
        )
        outcome = _OUTCOME.match(after[after.find(base) + len(base) :] if base else after)
        thing = plural(outcome.group(1)) if outcome else base
        return Counted(thing, part_of_previous=True) if thing else None
    thing = noun_phrase(words(rest), limit=limit, skip_leading=False, joins=_JOINS, verbs_end=True)
    return Counted(thing, part_of_previous=False) if thing and _names_a_thing(thing.split()[0]) else None
