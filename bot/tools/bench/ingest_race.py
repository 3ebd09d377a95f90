"""How much faster an archive becomes searchable than the naive pipeline spends only embedding
the same articles (1,000-character pieces, torch fp32): both over the same real articles, in
the same run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from index import Encoder, EngineParams

from ..evaluation.baseline import CHUNK_CHARS, fixed_pieces
from .backends import ingest_speed
from .texts import Texts


@dataclass
class IngestRace:
    articles: int
    naive_pieces: int
    naive_embed_s: float  # torch fp32 encoding the pieces, nothing else
    ingest_s: float  # `newsbot ingest` end to end with the default backend

    @property
    def speedup(self) -> float:
        return self.naive_embed_s / self.ingest_s if self.ingest_s else 0.0


def ingest_race(
    fast: Encoder, torch: Encoder, texts: Texts, work: Path, params: EngineParams, *, articles: int
) -> IngestRace:
    # Articles at least one naive piece long: a brief of a few lines measures what each article
    # costs besides its text, not making text searchable (RealTimeQA's archive opens with 500).
    chosen = [a for a in texts.articles if len(a.text) >= CHUNK_CHARS][:articles]
    pieces = [a.text[p.start : p.end] for a in chosen for p in fixed_pieces(a)]
    torch.encode(pieces[:4])  # warm
    start = time.perf_counter()
    torch.encode(pieces)
    naive_s = time.perf_counter() - start
    _, ingest_s = ingest_speed(fast, chosen, work, "race", params)
    return IngestRace(len(chosen), len(pieces), naive_s, ingest_s)
