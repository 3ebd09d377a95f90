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
    DATED = "dated"  # it states no period, and its article was published in the asked one
    OUTSIDE = "outside"  # it states no period, and its article was published at another time
    UNKNOWN = "unknown"  # no period asked, or nothing known of the sentence's time
    CONFLICT = "conflict"  # it states another period


class Article(BaseModel):
    """One article as read from the corpus; `text` is kept exactly as written."""

    model_config = ConfigDict(frozen=True)

    article_id: str = Field(
        description="The url when present, else its path in the folder ingested and the first "
        "digits of its text's fingerprint: 'beaches.txt#5be1c2a9e0f3'."
    )
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
    also_published_as: list[str] = Field(
        default=[],
        description="Where the same text also arrived (urls, or files without one); stored once.",
    )
    retracted_on: dt.date | None = Field(
        default=None,
        description="For a retracted article (never cited): the day the archive recorded it so.",
    )
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
    attributed_to: str | None = Field(
        default=None,
        description="Whom the sentence attributes what it says to, verbatim: 'city data', "
        "'Cook County Sheriff's Office' (index/text/attribution.py).",
    )

    @property
    def answer_text(self) -> str | None:
        return self.sentence[self.answer_span[0] : self.answer_span[1]] if self.answer_span else None


class AnswerLine(BaseModel):
    """One statement of the answer: a cited sentence, for the period its words give."""

    citation: int = Field(description="The `n` of the citation whose sentence this line is.")
    period: str | None = Field(default=None, description="The period the sentence's words give, if any.")


class AbstainReason(StrEnum):
    NO_ANSWER = "no_answer"  # nothing retrieved clears the threshold and fits the asked period
    PERIOD_NOT_COVERED = "period_not_covered"  # nothing on the topic speaks of or dates from it


class ArticleFilter(BaseModel):
    """Which articles an answer may come from, by their metadata; applied before ranking. Dates
    are publication dates, both bounds included; an undated article passes no date bound."""

    model_config = ConfigDict(frozen=True)

    outlet: str | None = Field(
        default=None, description="An outlet of the archive, matched ignoring case and surrounding spaces."
    )
    since: dt.date | None = Field(default=None, description="Published on this day or later.")
    until: dt.date | None = Field(default=None, description="Published on this day or earlier.")

    @property
    def active(self) -> bool:
        return self.outlet is not None or self.since is not None or self.until is not None


class QuestionReading(BaseModel):
    """How the engine read a question."""

    kind: AnswerKind
    period: str | None = Field(default=None, description="The period asked about, in its words.")
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    as_of: dt.date = Field(description="The day relative periods were read against.")
    counted: str | None = Field(default=None, description="What a 'how many' question counts.")
    names: list[str] = Field(default=[], description="Places, people and bodies it names.")
    terms: list[str] = Field(default=[], description="The exact terms looked for.")
    read_as: str = Field(description="What was searched: a follow-up with the previous question's context.")
    subject: str | None = Field(
        default=None, description="What the question is about, in its own words, when it counts nothing."
    )
    as_of_matters: bool = Field(
        default=False,
        description="The answer depends on `as_of`: it was given, a relative period was read against it, "
        "or the question asks about things as they stand ('recently', 'the latest').",
    )
    filters: ArticleFilter = Field(
        default=ArticleFilter(),
        description="The articles it was answered from; the outlet as the archive names it.",
    )


class Verdict(StrEnum):
    """What became of a candidate sentence."""

    CHOSEN = "chosen"  # the answer states it
    NOT_CHOSEN = "not chosen"  # it could answer, above the threshold, but others were chosen
    BELOW_THRESHOLD = "below threshold"  # it could answer, but not likely enough
    RULED_OUT = "ruled out"  # it cannot answer this question, whatever its score
    NOT_READ = "not read"  # not among the best the cross-encoder reads


class ExplainedCandidate(BaseModel):
    sentence: str
    article_id: str
    title: str
    relevance: float = Field(description="First-stage relevance (dense, exact terms, chunk), weighted.")
    dense: float
    lexical: float
    rerank: float | None = Field(description="The cross-encoder's logit; None when it did not read it.")
    probability: float = Field(description="The calibrated probability that it answers.")
    period_fit: PeriodFit
    verdict: Verdict
    reason: str = Field(description="Why, in words.")


class Explanation(BaseModel):
    """Why the answer is what it is: the question as read, and the best candidates' fates."""

    reading: QuestionReading
    threshold: float
    candidates: list[ExplainedCandidate]


class Answer(BaseModel):
    question: str
    abstained: bool
    lines: list[AnswerLine] = Field(
        default=[], description="The statements, in order; several when figures are listed."
    )
    citations: list[Citation] = Field(default=[], description="What the answer's lines state.")
    more_sources: list[Citation] = Field(
        default=[],
        description="Further sentences nearly as likely to answer, numbered on from the citations.",
    )
    related: list[Quote] = Field(default=[], description="Closest passages, shown when abstaining.")
    abstain_reason: AbstainReason | None = None
    kind: AnswerKind = AnswerKind.WHAT
    period: str | None = Field(default=None, description="The period the question asked about.")
    covered_from: dt.date | None = Field(
        default=None,
        description="With PERIOD_NOT_COVERED: the oldest publication date of the passages found.",
    )
    covered_to: dt.date | None = Field(default=None, description="... and the newest.")
    confidence: float = Field(
        default=0.0,
        description="The calibrated probability that the best answering sentence answers; the bot "
        "abstains below the threshold.",
    )
    explanation: Explanation | None = Field(default=None, description="When asked for (--explain).")
    retracted: Source | None = Field(
        default=None,
        description="The retracted article the answer would have come from: its text is not cited.",
    )
    reading: QuestionReading | None = Field(
        default=None, description="How the question was read; the engine sets it on every answer."
    )

    def citation(self, n: int) -> Citation:
        return next(c for c in self.quoted if c.n == n)

    @property
    def quoted(self) -> list[Citation]:
        """The citations, then the more sources: every sentence the answer quotes, in order."""
        return self.citations + self.more_sources

    @property
    def stated(self) -> list[Citation]:
        """The citations the answer's lines state, in line order."""
        return [self.citation(line.citation) for line in self.lines]


class SearchHit(BaseModel):
    source: Source
    snippet: str = Field(description="The article's sentence that best matches the query, cut between words.")
    score: float
    marks: list[tuple[int, int]] = Field(
        default=[], description="Where the snippet's words that match the query's terms start and end."
    )


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
    also_published_as: list[str] = Field(
        default=[], description="Where the same text also arrived (urls, or files without one)."
    )


class SkipReason(BaseModel):
    source: str
    reason: str


class IngestWarning(BaseModel):
    """Something of an article that could not be read, though the article could: it is stored
    without it (a date that names no day: stored undated)."""

    source: str
    warning: str


class Duplicate(BaseModel):
    """An article read whose text is stored already, under another name or the same one: it is
    not stored again, and `of` lists it as also published."""

    source: str
    of: str = Field(description="The article_id of the stored article with the same text.")


class IngestReport(BaseModel):
    added: list[str] = []
    updated: list[str] = []
    removed: list[str] = []
    retracted: list[str] = Field(default=[], description="Articles now on record as retracted.")
    unchanged: int = 0
    duplicates: list[Duplicate] = []
    skipped: list[SkipReason] = []
    warnings: list[IngestWarning] = []


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


class FigureValue(BaseModel):
    """A figure's value as written and as a number: "nearly 2,098" is 2098, qualified "nearly";
    "£124bn" is 1.24e11 GBP; "12.3%" is 12.3 percent."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The figure as the sentence writes it.")
    number: float
    unit: str | None = Field(default=None, description="What it is measured in: 'percent', 'miles'.")
    currency: str | None = Field(default=None, description="ISO 4217 code of an amount of money.")
    qualifier: str | None = Field(default=None, description="How exact it is: 'nearly', 'more than'.")

    @property
    def key(self) -> tuple[float, str | None, str | None]:
        """What two figures must share to agree (the qualifier aside)."""
        return (self.number, self.unit, self.currency)


class Figure(BaseModel):
    """One figure the archive states, with its cited sentence (`citation.answer_span` is where
    the figure is in it)."""

    value: FigureValue
    thing: str | None = Field(description="What it counts, in the sentence's words.")
    place: str | None = Field(default=None, description="The place the sentence names, if any.")
    period: Period | None = Field(description="The period it covers; None when the sentence states none.")
    citation: Citation


class FigureGroup(BaseModel):
    """The figures for one counted thing and one period."""

    period: Period | None
    label: str = Field(description="The period in the sentences' words, or 'no period stated'.")
    figures: list[Figure]
    disagree: bool = Field(description="Whether the sources give different values for it.")


class CountedThing(BaseModel):
    thing: str = Field(description="What is counted, in the words closest to the topic.")
    groups: list[FigureGroup] = Field(description="By period, newest first.")


class FigureReport(BaseModel):
    """Every figure the archive states about a topic (`Engine.figures`)."""

    topic: str
    things: list[CountedThing] = Field(default=[], description="The thing closest to the topic first.")

    @property
    def periods(self) -> int:
        """How many distinct stated periods the figures cover (a chart needs a few)."""
        return len({(g.period.start, g.period.end) for t in self.things for g in t.groups if g.period})


class TimelineEvent(BaseModel):
    """One dated event a timeline lists: a verbatim sentence that reports it, the period its
    words say it happened in, and the other articles that report the same event."""

    period: Period = Field(description="When it happened, as the sentence dates it (`basis` says how).")
    quote: Quote = Field(description="The sentence that reports it, verbatim, with its article.")
    date_span: tuple[int, int] | None = Field(
        default=None,
        description="Where the date words are within `quote.sentence` (offsets); None when the date "
        "comes from the sentence before it or from the publication date.",
    )
    also_reported_by: list[Quote] = Field(
        default=[], description="The same event as other articles report it (merged duplicates)."
    )

    @property
    def date_words(self) -> str | None:
        return self.quote.sentence[self.date_span[0] : self.date_span[1]] if self.date_span else None


class Timeline(BaseModel):
    """The dated events the archive reports about a topic, in the order they happened."""

    topic: str
    events: list[TimelineEvent] = Field(
        default=[], description="Ordered by when they happened (`index.timeline.order`), not by publication."
    )
    undated: int = Field(
        default=0,
        description="Sentences on the topic left out for want of a date: none in their words or "
        "the sentence before, and not their article's most on-topic such sentence (which is "
        "listed on the publication day, `TimelineParams.published_per_article`) or no "
        "publication date either.",
    )
