"""An article text's fingerprint: equal for texts that differ only in spacing or in how their
accents are written, so that a wire story saved twice, or exported under two URLs, is known as
one text."""

from __future__ import annotations

import hashlib

from .terms import composed

# Hex digits of the fingerprint an article id carries: 48 bits, so that two different texts at the
# same path of two folders (the only ids it tells apart) do not meet in any real archive.
ID_DIGITS = 12


def text_fingerprint(text: str) -> str:
    """SHA-256 of the text with every run of whitespace read as one space and its accents
    composed (as articles are stored), in hex."""
    return hashlib.sha256(" ".join(composed(text).split()).encode("utf-8")).hexdigest()
