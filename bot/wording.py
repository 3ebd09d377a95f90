"""What both front ends say in the same words: abstentions, periods not stated, ingest summaries."""

from __future__ import annotations

from index import Answer, IngestReport

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
