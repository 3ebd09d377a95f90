"""Characters that change how text is displayed rather than what it says: both front ends keep
archive text from using them."""

from __future__ import annotations

# Unicode's explicit bidirectional formatting characters (UAX #9: LRE, RLE, PDF, LRO, RLO, LRI,
# RLI, FSI, PDI). They reorder the text after them, so "moc.live//:sptth" can read as a trusted
# address; ordinary right-to-left text needs none of them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
