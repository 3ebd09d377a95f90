"""What the store writes (prepared articles) and reads back (stored sentences), and their
encodings in the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..models import Article, Period
from ..text.corrections import Note
from ..text.figures import SentenceFigure

# How an archive's sentence vectors were made, in its meta: "in-chunk" for archives made since
# sentences are pooled in their chunk's pass; absent in those made before, whose sentences were
# embedded each by itself and go on being so, so that one archive holds one kind of vector.
SENTENCE_VECTORS = "sentence_vectors"
IN_CHUNK = "in-chunk"


def sentences_in_chunk(meta: dict[str, str]) -> bool:
    return meta.get(SENTENCE_VECTORS) == IN_CHUNK


@dataclass
class PreparedSentence:
    position: int
    paragraph: int
    start: int
    end: int
    boilerplate: bool
    periods: tuple[Period, ...]
    vector: np.ndarray | None
    figures: list[SentenceFigure] = field(default_factory=list)


@dataclass
class PreparedChunk:
    position: int
    first_sentence: int
    last_sentence: int
    start: int
    end: int
    text: str
    vector: np.ndarray


@dataclass(frozen=True)
class AlsoPublished:
    """Another name the same text arrived under, and the file it was read from (so that it goes
    when that file goes)."""

    name: str
    source_file: str


@dataclass
class PreparedArticle:
    article: Article
    content_hash: str
    source_file: str
    sentences: list[PreparedSentence]
    chunks: list[PreparedChunk]
    also_published_as: list[AlsoPublished] = field(default_factory=list)
    note: Note | None = None  # its correction and update notes


@dataclass(frozen=True)
class StoredArticle:
    """What an ingest knows of an article already stored."""

    row: int
    content_hash: str
    source: str
    source_file: str
    fingerprint: str
    also_published_as: tuple[AlsoPublished, ...]


@dataclass(frozen=True)
class StoredCopy:
    """A stored article as read, with what it was stored as: its other names, and each text the
    model embedded for it with the vector stored (float16 bytes, as in the database)."""

    article: Article
    also_published_as: tuple[AlsoPublished, ...]
    embedded: list[tuple[str, bytes]]


@dataclass
class StoredSentence:
    id: int
    article_row: int
    position: int
    paragraph: int
    start: int
    end: int
    text: str
    periods: tuple[Period, ...]
    vector: np.ndarray


def to_blob(vector: np.ndarray) -> bytes:
    # float16 halves the database; FAISS is always fed the same rounded values, so a rebuilt
    # index equals an incrementally built one.
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)


def also_json(also: Sequence[AlsoPublished]) -> str:
    return json.dumps([{"name": a.name, "source_file": a.source_file} for a in also])


def parse_also(raw: str) -> tuple[AlsoPublished, ...]:
    return tuple(AlsoPublished(**a) for a in json.loads(raw))


def also_names(raw: str) -> list[str]:
    return [a.name for a in parse_also(raw)]


def periods_json(periods: Sequence[Period]) -> str:
    return json.dumps([p.model_dump(mode="json") for p in periods])


# Most sentences share a handful of period lists ("[]" above all); Periods are immutable.
@lru_cache(maxsize=65_536)
def parse_periods(raw: str) -> tuple[Period, ...]:
    return tuple(Period.model_validate(p) for p in json.loads(raw))


FIGURE_INSERT = (
    'INSERT INTO figures(article, sentence, start, "end", value, thing, part_of_previous, place, '
    "period, attributed_to) VALUES(?,?,?,?,?,?,?,?,?,?)"
)


def figure_row(article_row: int, sentence_id: int, f: SentenceFigure) -> tuple:
    """A figure as the `figures` table keeps it (FIGURE_INSERT's values)."""
    period = f.period.model_dump_json() if f.period else None
    value = f.value.model_dump_json()
    return (article_row, sentence_id, f.start, f.end, value, f.thing, int(f.part_of_previous), f.place,
            period, f.attributed_to)  # fmt: skip


@dataclass(frozen=True)
class StoredFigure(SentenceFigure):
    """A figure read back, with its sentence (text cut from the article) and where it stands."""

    article_row: int
    sentence_id: int
    position: int  # of its sentence in the article
    sentence: str
    sentence_start: int  # offsets of the sentence in the article text
    sentence_end: int
