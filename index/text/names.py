"""Whether a text names what a question names: as written, by a part, or by an acronym."""

from __future__ import annotations

import re

from .terms import content_terms

# Runs of capitalised words ("United States", "National Health Service"), with small joining
# words inside ("Bank of England"): what an acronym abbreviates.
_CAPITALISED_RUN = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*+(?:\s++(?:(?:of|the|for|and)\s++)?[A-Z][\w'’-]*+)+")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_TOKEN = re.compile(r"[\w'’-]+")
_JOINING = frozenset({"of", "the", "for", "and"})


def initials(words: str) -> str:
    """ "United States" -> "US", "Bank of England" -> "BE" (joining words left out)."""
    return "".join(w[0] for w in words.split() if w.lower() not in _JOINING).upper()


def _acronyms_of(text: str) -> set[str]:
    return {initials(m.group()) for m in _CAPITALISED_RUN.finditer(text)}


def name_in(name: str, text: str) -> bool:
    """`text` names `name`: all its words, or its last word when it has several (a surname,
    "Stuart" for "Graham Stuart"), or the acronym it abbreviates or is abbreviated by ("US" and
    "United States", "the NHS" and "National Health Service")."""
    present = set(content_terms(text))
    wanted = content_terms(name)
    if wanted and set(wanted) <= present:
        return True
    words = name.split()
    # The last word alone, capitalised as in the name: a surname ("Stuart"), not a common noun
    # ("city" of "New York City").
    if len(words) > 1 and words[-1] in set(_TOKEN.findall(text)):
        return True
    bare = name.strip(".").replace(".", "")
    if _ACRONYM.fullmatch(bare):
        return bare in _acronyms_of(text)
    if len(words) > 1:
        short = initials(name)
        return len(short) >= 2 and short in set(_ACRONYM.findall(text.replace(".", "")))
    return False
