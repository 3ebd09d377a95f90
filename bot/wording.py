"""What both front ends say in the same words: abstentions, periods not stated, ingest summaries."""

from __future__ import annotations

import re

from index import (
    AbstainReason,
    Answer,
    AnswerKind,
    ArticleFilter,
    Citation,
    Figure,
    FigureGroup,
    GapReport,
    IngestReport,
    Period,
    PeriodBasis,
    QuestionReading,
    RefreshReport,
    Timeline,
)

NO_PERIOD = "period not stated in the sentence"


def abstention_reason(answer: Answer) -> str:
    """Why the archive does not answer (`Answer.abstain_reason`), as a clause."""
    scope = f" for {answer.period}" if answer.period else ""
    if answer.abstain_reason is AbstainReason.PERIOD_NOT_COVERED and answer.covered_to:
        first, last = (answer.covered_from or answer.covered_to).isoformat(), answer.covered_to.isoformat()
        dates = f"from {first}" if first == last else f"from {first} to {last}"
        return f"nothing I have on this speaks of {answer.period} (the articles I found on it are {dates})"
    return f"no article I have answers this{scope}"


def abstention_text(answer: Answer) -> str:
    return f"Not in the archive: {abstention_reason(answer)}."


def ingest_summary(report: IngestReport) -> str:
    """One line of counts, then a line for each duplicate, each file or line skipped and each
    warning."""
    lines = [
        f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
        f"retracted {len(report.retracted)}, unchanged {report.unchanged}, "
        f"duplicates {len(report.duplicates)}, skipped {len(report.skipped)}, warnings {len(report.warnings)}"
    ]
    lines += [f"  duplicate {d.source}: same text as {d.of}, stored once" for d in report.duplicates]
    lines += [f"  skipped {s.source}: {s.reason}" for s in report.skipped]
    lines += [f"  warning {w.source}: {w.warning}" for w in report.warnings]
    return "\n".join(lines)


# How a period label follows the figure: a day ("July 24, 2022", "Monday") reads "on ...", a
# year or a month ("2021", "March 2021") "in ..."; a label with its own preposition or a
# relative word ("from January to April of 2022", "last year") follows as it is.
_DAY = re.compile(r"[A-Z][a-z]+\.? \d{1,2}(?:, \d{4})?|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day")
_YEAR_OR_MONTH = re.compile(r"\d{4}|[A-Z][a-z]+\.?(?: \d{4})?")


def _after_figure(period: str) -> str:
    if _DAY.fullmatch(period):
        return f"on {period}"
    if _YEAR_OR_MONTH.fullmatch(period):
        return f"in {period}"
    return period


def lead(answer: Answer) -> str | None:
    """The answer itself, before the quote that states it: the answer span of a single
    statement (a figure, a date, a name) with the period its sentence gives ("nearly 2,098 in
    2021", "more than 500 from January to April of 2022"); None when the sentence itself is the
    answer or several figures are listed."""
    if answer.abstained or len(answer.lines) != 1:
        return None
    line = answer.lines[0]
    span = answer.citation(line.citation).answer_text
    if span is None:
        return None
    if not line.period or line.period in span:
        return span
    return f"{span} {_after_figure(line.period)}"


_KIND_WORDS = {
    AnswerKind.WHAT: "what",
    AnswerKind.HOW_MANY: "how many",
    AnswerKind.WHEN: "when",
    AnswerKind.TIME: "what time",
    AnswerKind.WHERE: "where",
    AnswerKind.WHO: "who",
}
_YEAR = re.compile(r"\d{4}")


def _period_words(reading: QuestionReading) -> str:
    """'in 2021', 'from January to April of 2022'; words naming no year ("this week") with the
    days they were read as; 'any time' when the question names no period."""
    if not reading.period:
        return "any time"
    words = _after_figure(reading.period)
    if _YEAR.search(reading.period) or reading.period_from is None or reading.period_to is None:
        return words
    first, last = reading.period_from.isoformat(), reading.period_to.isoformat()
    return f"{words} ({first})" if first == last else f"{words} ({first} to {last})"


def _published(filters: ArticleFilter) -> str | None:
    since, until = filters.since, filters.until
    if since and until:
        return f"published {since.isoformat()} to {until.isoformat()}"
    if since:
        return f"published since {since.isoformat()}"
    return f"published until {until.isoformat()}" if until else None


def reading_line(reading: QuestionReading) -> str:
    """How the question was read, in one line: 'Read as: how many · carjackings · in 2021 · all
    outlets'; the as-of day when the answer depends on it, the publication dates when filtered."""
    parts = [_KIND_WORDS[reading.kind]]
    about = reading.counted if reading.kind is AnswerKind.HOW_MANY and reading.counted else reading.subject
    if about:
        parts.append(about)
    parts.append(_period_words(reading))
    if reading.as_of_matters:
        parts.append(f"as of {reading.as_of.isoformat()}")
    filters = reading.filters
    parts.append(f"{filters.outlet} only" if filters.outlet else "all outlets")
    published = _published(filters)
    if published:
        parts.append(published)
    return "Read as: " + " · ".join(parts)


def retraction_note(answer: Answer) -> str | None:
    """What to say when the answer would have come from a retracted article, which is never
    cited: 'The article that reported this ("Title") was retracted on 2022-08-01.'"""
    gone = answer.retracted
    if gone is None or gone.retracted_on is None:
        return None
    return (
        f'The article that reported this ("{gone.title}") was retracted on {gone.retracted_on.isoformat()}.'
    )


def refresh_text(report: RefreshReport) -> str:
    """A refresh: its one-line summary, what the ingest did, and each failure with its reason."""
    lines = [f"refreshed: {report.summary()}", ingest_summary(report.ingest)]
    lines += [f"  failed {f.source}: {f.reason}" for f in report.failed]
    return "\n".join(lines)


def gaps_text(report: GapReport) -> str:
    """The coverage report: topics most asked first, each with its count and example questions."""
    if not report.topics:
        return f"No unanswered topics ({report.questions} unanswered questions kept)."
    lines = [f"Topics the archive could not answer ({report.questions} questions):"]
    for n, topic in enumerate(report.topics, start=1):
        lines.append(f"{n}. {topic.question} ({topic.count} asked)")
        lines += [f"   - {example}" for example in topic.examples]
    return "\n".join(lines)


def cited_source(citation: Citation) -> str:
    """The outlet and whom its sentence attributes what it says to: "NBC 5 Chicago, Cook County
    Sheriff's Office"; the title when the article names no outlet and the sentence no source."""
    return ", ".join(part for part in (citation.source.outlet, citation.attributed_to) if part) or (
        citation.source.title
    )


def figure_text(figure: Figure) -> str:
    """ "nearly 2,098 incidents of vehicular hijacking (Chicago)": the figure as written, its thing."""
    place = f" ({figure.place})" if figure.place else ""
    return f"{figure.value.text} {figure.thing or ''}".rstrip() + place


def disagreement_text(group: FigureGroup) -> str:
    """Sources that give different values for one thing and period, side by side:
    "2,098 (NBC 5, Sheriff's Office) · 1,849 (Sun-Times, police data)"."""
    return " · ".join(f"{f.value.text} ({cited_source(f.citation)})" for f in group.figures)


def event_date(period: Period) -> str:
    """When a timeline's event happened: its day or days, then the words that said so when they
    were relative ("2021-03-14 (Sunday)"); a date carried from the sentence before, and a
    sentence with no date placed on its article's publication day, say so."""
    days = period.start.isoformat()
    if period.end != period.start:
        days += f" to {period.end.isoformat()}"
    if period.basis is PeriodBasis.PUBLISHED:
        return f"{days} (published; no date in the sentence)"
    if period.basis is PeriodBasis.CONTEXT:
        return f"{days} ({period.text}, in the sentence before)"
    if period.text and period.text not in days:
        return f"{days} ({period.text})"
    return days


def timeline_summary(timeline: Timeline) -> str:
    """The heading line of a timeline: how many events, and what was left out."""
    if not timeline.events:
        return f"No dated events about {timeline.topic!r} in the archive."
    n = len(timeline.events)
    left = f" ({timeline.undated} more on it left out: no date of their own)" if timeline.undated else ""
    return (
        f"{n} dated event{'s' if n != 1 else ''} about {timeline.topic!r}, in the order they happened{left}."
    )
