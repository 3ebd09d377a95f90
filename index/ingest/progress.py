"""What an ingest tells whoever watches it: how many articles there are to embed, then each
batch as it is stored. The front ends draw it (a bar on a terminal, lines in a log)."""

from __future__ import annotations

from typing import Protocol


class IngestProgress(Protocol):
    def start(self, articles: int) -> None:
        """`articles` are to be laid out, embedded and stored."""

    def advance(self, articles: int, chunks: int) -> None:
        """A batch of `articles` holding `chunks` chunks was stored."""

    def close(self) -> None:
        """The ingest is over (done or failed)."""
