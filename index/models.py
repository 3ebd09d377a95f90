"""Typed records that cross layers: corpus -> store -> retrieval -> answer -> CLI/bot."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Status(StrEnum):
    PUBLISHED = "published"
    RETRACTED = "retracted"


class AnswerKind(StrEnum):
    """What a question asks for."""

    WHAT = "what"  # a fact, said in a sentence
    HOW_MANY = "how_many"  # a figure: a count, an amount, an age
    WHEN = "when"  # a date
    TIME = "time"  # a clock time
    WHERE = "where"  # a place
    WHO = "who"  # a person or a body

    @property
    def wants_span(self) -> bool:
        """Answered by a span of the sentence (a figure, a name), not by the sentence alone."""
        return self is not AnswerKind.WHAT

    @property
    def is_dated(self) -> bool:
        """A figure, a date or a time belongs to a period: the sentence must state the right one."""
        return self in (AnswerKind.HOW_MANY, AnswerKind.WHEN, AnswerKind.TIME)


class PeriodBasis(StrEnum):
    """Where a sentence's period comes from."""

    STATED = "stated"  # a date in the words
    RELATIVE = "relative"  # relative words read against the publication date
    CONTEXT = "context"  # carried from the previous sentence
    PUBLISHED = "published"  # only the publication date

    @property
    def in_words(self) -> bool:
        """The sentence's own words state it."""
        return self in (PeriodBasis.STATED, PeriodBasis.RELATIVE)


class PeriodFit(StrEnum):
    """How a sentence's periods relate to the period a question asks about."""

    WITHIN = "within"  # it speaks about (part of) the asked period
    OVERLAP = "overlap"  # about a stretch reaching beyond it
    DATED = "dated"  # only its publication date falls in it
    UNKNOWN = "unknown"  # no period asked, or none known for the sentence
    CONFLICT = "conflict"  # it speaks about another time


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


class Source(BaseModel):
    """The article a sentence is quoted from, as a citation shows it."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    title: str
    url: str | None
    outlet: str | None
    published: dt.date | None
    note: str | None = Field(
        default=None, description="The article's correction and update notes, verbatim, if any."
    )
    updated: dt.date | None = Field(default=None, description="The latest date its notes give.")


class Period(BaseModel):
    """A closed range of days a statement speaks about."""

    model_config = ConfigDict(frozen=True)

    start: dt.date
    end: dt.date
    text: str = Field(default="", description="The words that stated it, verbatim.")
    basis: PeriodBasis = PeriodBasis.STATED

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def within(self, other: Period) -> bool:
        return other.start <= self.start and self.end <= other.end


class Quote(BaseModel):
    """A verbatim sentence of an article: `sentence == article.text[start:end]`."""

    source: Source
    sentence: str
    start: int = Field(description="Offset of the sentence in the article text.")
    end: int
    score: float


class Citation(Quote):
    n: int = Field(description="Its number in the answer, from 1.")
    answer_span: tuple[int, int] | None = Field(
        default=None, description="Where the answer is within `sentence` (offsets), if a span."
    )
    period: str | None = Field(default=None, description="The period the sentence speaks about.")

    @property
    def answer_text(self) -> str | None:
        return self.sentence[self.answer_span[0] : self.answer_span[1]] if self.answer_span else None


class AnswerLine(BaseModel):
    """One statement of the answer: a cited sentence, for the period its words give."""

    citation: int = Field(description="The `n` of the citation whose sentence this line is.")
    period: str | None = Field(default=None, description="The period the sentence's words give, if any.")


class AbstainReason(StrEnum):
    NO_ANSWER = "no_answer"  # nothing retrieved clears the threshold and fits the asked period


class Answer(BaseModel):
    question: str
    abstained: bool
    lines: list[AnswerLine] = Field(
        default=[], description="The statements, in order; several when figures are listed."
    )
    citations: list[Citation] = []
    related: list[Quote] = Field(default=[], description="Closest passages, shown when abstaining.")
    abstain_reason: AbstainReason | None = None
    kind: AnswerKind = AnswerKind.WHAT
    period: str | None = Field(default=None, description="The period the question asked about.")
    confidence: float = Field(
        default=0.0, description="Relevance of the best answering sentence; abstains below the threshold."
    )

    def citation(self, n: int) -> Citation:
        return next(c for c in self.citations if c.n == n)

    @property
    def stated(self) -> list[Citation]:
        """The citations the answer's lines state, in line order."""
        return [self.citation(line.citation) for line in self.lines]


class SearchHit(BaseModel):
    source: Source
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
    last_refresh: dt.datetime | None = Field(default=None, description="When feeds were last refreshed.")
    last_refresh_summary: str | None = Field(default=None, description="What that refresh did, in a line.")
