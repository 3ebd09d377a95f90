"""The engine's answers, hits, stats and ingest reports as terminal text and as JSON."""

from __future__ import annotations

from typing import Any

from index import Answer, Citation, GapReport, IngestReport, Quote, RefreshReport, SearchHit, Stats

from ..display import BIDI_CONTROLS
from ..wording import NO_PERIOD, abstention_text, gaps_text, ingest_summary, refresh_text

# Control characters (Unicode category Cc: C0, DEL, C1) other than the line break, and the
# bidirectional overrides, each as its Python escape ("\x1b", "\r", "\u202e").
_ESCAPED = {
    code: ascii(chr(code))[1:-1]
    for code in [*range(0x20), *range(0x7F, 0xA0), *map(ord, BIDI_CONTROLS)]
    if code != ord("\n")
}


def printable(text: str) -> str:
    """`text` safe to print on a terminal: a control character in an article (an escape
    sequence, a carriage return, a backspace) is shown as its escape instead of moving the
    cursor, erasing a line, hiding or recolouring text or adding a link; JSON output escapes
    them itself."""
    return text.translate(_ESCAPED)


def marked_sentence(citation: Citation) -> str:
    """The cited sentence with its answer span in **bold**."""
    if citation.answer_span is None:
        return citation.sentence
    a, b = citation.answer_span
    text = citation.sentence
    return f"{text[:a]}**{text[a:b]}**{text[b:]}"


def answer_text(answer: Answer) -> str:
    """The answer as one text: its statements, each with its citation number; when it lists
    several figures, each with the period its sentence gives."""
    if answer.abstained:
        return abstention_text(answer)
    if len(answer.lines) == 1:
        line = answer.lines[0]
        return f"{marked_sentence(answer.citation(line.citation))} [{line.citation}]"
    listed = [
        f"- {line.period or NO_PERIOD}: {marked_sentence(answer.citation(line.citation))} [{line.citation}]"
        for line in answer.lines
    ]
    return "Sources give these figures:\n" + "\n".join(listed)


def _source_fields(quote: Quote) -> dict[str, Any]:
    return quote.source.model_dump(mode="json")


def citation_json(citation: Citation) -> dict[str, Any]:
    span = citation.answer_span
    return {
        "n": citation.n,
        **_source_fields(citation),
        "sentence": citation.sentence,
        "start": citation.start,
        "end": citation.end,
        "score": citation.score,
        "answer_start": span[0] if span else None,
        "answer_end": span[1] if span else None,
        "period": citation.period,
    }


def related_json(quote: Quote) -> dict[str, Any]:
    return {
        **_source_fields(quote),
        "text": quote.sentence,
        "start": quote.start,
        "end": quote.end,
        "score": quote.score,
    }


def answer_json(answer: Answer) -> dict[str, Any]:
    """The documented JSON answer (README): fields are added over time, never renamed."""
    return {
        "question": answer.question,
        "answer": answer_text(answer),
        "abstained": answer.abstained,
        "citations": [citation_json(c) for c in answer.citations],
        "related": [related_json(r) for r in answer.related],
        "kind": answer.kind.value,
        "period": answer.period,
        "confidence": answer.confidence,
        "lines": [line.model_dump(mode="json") for line in answer.lines],
        "abstain_reason": answer.abstain_reason.value if answer.abstain_reason else None,
    }


def _byline(quote: Quote) -> str:
    source = quote.source
    published = source.published.isoformat() if source.published else None
    return ", ".join(part for part in (source.outlet, published, source.url) if part)


def format_answer(answer: Answer) -> str:
    """The answer, its citations and any related passages, for the terminal."""
    lines = [answer_text(answer), ""]
    for c in answer.citations:
        meta = _byline(c)
        lines.append(f'[{c.n}] "{c.sentence}"')
        lines.append(f"    {c.source.title}" + (f" ({meta})" if meta else "") + f" chars {c.start}-{c.end}")
        if c.source.note:
            lines.append(f"    Note: {c.source.note}")
    if answer.abstained and answer.related:
        lines.append("Related passages (not an answer):")
        for r in answer.related:
            when = f", {r.source.published.isoformat()}" if r.source.published else ""
            lines.append(f'  - "{r.sentence}" ({r.source.title}{when})')
    return printable("\n".join(lines).rstrip())


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {**hit.source.model_dump(mode="json"), "snippet": hit.snippet, "score": hit.score}


def format_hits(hits: list[SearchHit]) -> str:
    if not hits:
        return "No matching articles."
    lines = []
    for n, h in enumerate(hits, start=1):
        s = h.source
        when = s.published.isoformat() if s.published else "date unknown"
        lines.append(f"{n}. {s.title} ({s.outlet or 'outlet unknown'}, {when}) {s.url or s.article_id}")
        lines.append(f"   {h.snippet}")
    return printable("\n".join(lines))


def format_stats(stats: Stats) -> str:
    return printable("\n".join(f"{key:>20}: {value}" for key, value in stats.model_dump().items()))


def format_ingest(report: IngestReport) -> str:
    return printable(ingest_summary(report))


def format_refresh(report: RefreshReport) -> str:
    return printable(refresh_text(report))


def format_gaps(report: GapReport) -> str:
    return printable(gaps_text(report))
