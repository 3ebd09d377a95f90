"""What both front ends say in the same words: abstentions, periods not stated, ingest summaries."""

from __future__ import annotations

from index import Answer, GapReport, IngestReport, RefreshReport

NO_PERIOD = "period not stated in the sentence"


def abstention_reason(answer: Answer) -> str:
    """Why the archive does not answer (`Answer.abstain_reason`), as a clause."""
    scope = f" for {answer.period}" if answer.period else ""
    return f"no article I have answers this{scope}"


def abstention_text(answer: Answer) -> str:
    return f"Not in the archive: {abstention_reason(answer)}."


def ingest_summary(report: IngestReport) -> str:
    lines = [
        f"added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
        f"unchanged {report.unchanged}, skipped {len(report.skipped)}"
    ]
    lines += [f"  skipped {s.source}: {s.reason}" for s in report.skipped]
    return "\n".join(lines)


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
