"""Typed records that cross layers: corpus -> store -> retrieval -> answer -> CLI/bot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class Visibility(str, Enum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Status(str, Enum):
    PUBLISHED = "published"
    RETRACTED = "retracted"


class Article(BaseModel):
    """One article as read from the corpus; `text` is kept exactly as written."""

    model_config = ConfigDict(frozen=True)

    article_id: str = Field(description="The url when present, else the source path.")
    title: str
    text: str
    url: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: dt.date | None = None
    published_inferred: bool = Field(
        default=False, description="True when the date was inferred from the text, not stated."
    )
    visibility: Visibility = Visibility.PUBLIC
    status: Status = Status.PUBLISHED
    source: str = Field(description="Where it was read from: path, or path:line for JSONL.")


@dataclass(frozen=True)
class Source:
    """The article a sentence is quoted from, as a citation shows it."""

    article_id: str
    title: str
    url: str | None
    outlet: str | None
    published: dt.date | None


class Period(BaseModel):
    """A closed range of days a statement speaks about."""

    model_config = ConfigDict(frozen=True)

    start: dt.date
    end: dt.date
    text: str = Field(default="", description="The words that stated it, verbatim.")
    basis: str = Field(
        default="stated",
        description="stated (a date in the words), relative (read against the publication date), "
        "context (carried from the previous sentence) or published (only the publication date).",
    )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def within(self, other: Period) -> bool:
        return other.start <= self.start and self.end <= other.end


class Sentence(BaseModel):
    model_config = ConfigDict(frozen=True)

    article_id: str
    position: int
    start: int
    end: int
    text: str
    boilerplate: bool = False
    periods: tuple[Period, ...] = ()


class Chunk(BaseModel):
    model_config = ConfigDict(frozen=True)

    article_id: str
    position: int
    first_sentence: int = Field(description="Position of its first sentence in the article.")
    last_sentence: int
    start: int
    end: int
    text: str = Field(description="Title line plus the sentences: what gets embedded.")


class Citation(BaseModel):
    n: int
    article_id: str
    title: str
    url: str | None
    outlet: str | None
    published: dt.date | None
    sentence: str = Field(description="Verbatim; equals article.text[start:end].")
    start: int
    end: int
    score: float
    answer_start: int | None = Field(
        default=None, description="Offset of the answer span within `sentence`."
    )
    answer_end: int | None = None
    period: str | None = Field(default=None, description="The period the sentence speaks about.")


class Related(BaseModel):
    article_id: str
    title: str
    url: str | None
    outlet: str | None
    published: dt.date | None
    text: str
    start: int
    end: int
    score: float


class Answer(BaseModel):
    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = []
    related: list[Related] = []
    kind: str = "what"
    period: str | None = Field(default=None, description="The period the question asked about.")
    confidence: float = Field(
        default=0.0, description="Relevance of the best answering sentence; abstains below the threshold."
    )


class SearchHit(BaseModel):
    article_id: str
    title: str
    url: str | None
    outlet: str | None
    published: dt.date | None
    snippet: str
    score: float


class ArticleInfo(BaseModel):
    """Metadata of a stored article, without its text."""

    article_id: str
    title: str
    url: str | None
    outlet: str | None
    author: str | None
    published: dt.date | None
    published_inferred: bool
    visibility: Visibility
    status: Status
    sentences: int
    chunks: int


class SkipReason(BaseModel):
    source: str
    reason: str


class IngestReport(BaseModel):
    added: list[str] = []
    updated: list[str] = []
    removed: list[str] = []
    unchanged: int = 0
    skipped: list[SkipReason] = []

    def summary(self) -> str:
        lines = [
            f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
            f"unchanged {self.unchanged}, skipped {len(self.skipped)}"
        ]
        lines += [f"  skipped {s.source}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)


class Stats(BaseModel):
    articles: int
    sentences: int
    chunks: int
    vectors: int
    retracted: int
    internal: int
    model: str
    dimension: int
    last_ingest: dt.datetime | None
    feedback_helpful: int
    feedback_unhelpful: int
    index_dir: str
