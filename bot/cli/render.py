"""The engine's answers, hits, stats and ingest reports as terminal text and as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from index import (
    Answer,
    Citation,
    Explanation,
    ExportReport,
    FigureReport,
    GapReport,
    ImportReport,
    IngestReport,
    Quote,
    RefreshReport,
    SearchHit,
    Stats,
    Timeline,
    TimelineEvent,
)

from ..display import BIDI_CONTROLS
from ..wording import (
    NO_PERIOD,
    abstention_text,
    cited_source,
    disagreement_text,
    event_date,
    figure_text,
    gaps_text,
    ingest_summary,
    lead,
    reading_line,
    refresh_text,
    retraction_note,
    timeline_summary,
)

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
    """The answer as one text: the answer itself first (`wording.lead`), then the statements
    that give it, each with its citation number; when it lists several figures, each with the
    period its sentence gives and the figure."""
    if answer.abstained:
        return abstention_text(answer)
    if len(answer.lines) == 1:
        line = answer.lines[0]
        quote = f"{marked_sentence(answer.citation(line.citation))} [{line.citation}]"
        first = lead(answer)
        return f"{first}\n{quote}" if first else quote
    listed = []
    for line in answer.lines:
        cited = answer.citation(line.citation)
        figure = f"{cited.answer_text} — " if cited.answer_text else ""
        listed.append(f"- {line.period or NO_PERIOD}: {figure}{marked_sentence(cited)} [{line.citation}]")
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
        "attributed_to": citation.attributed_to,
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
        "more_sources": [citation_json(c) for c in answer.more_sources],
        "related": [related_json(r) for r in answer.related],
        "kind": answer.kind.value,
        "period": answer.period,
        "confidence": answer.confidence,
        "lines": [line.model_dump(mode="json") for line in answer.lines],
        "abstain_reason": answer.abstain_reason.value if answer.abstain_reason else None,
        "lead": lead(answer),
        "explain": answer.explanation.model_dump(mode="json") if answer.explanation else None,
        "retracted": answer.retracted.model_dump(mode="json") if answer.retracted else None,
        "retraction_note": retraction_note(answer),
        "reading": answer.reading.model_dump(mode="json") if answer.reading else None,
        "reading_line": reading_line(answer.reading) if answer.reading else None,
    }


def _byline(quote: Quote) -> str:
    source = quote.source
    published = source.published.isoformat() if source.published else None
    return ", ".join(part for part in (source.outlet, published, source.url) if part)


def format_answer(answer: Answer) -> str:
    """The answer, a note when it would have come from a retracted article, its citations (each
    with its article's correction note), any related passages and how the question was read,
    for the terminal."""
    note = retraction_note(answer)
    lines = [answer_text(answer), *([note] if note else []), ""]
    for heading, quotes in (("", answer.citations), ("More sources:", answer.more_sources)):
        if quotes and heading:
            lines.append(heading)
        for c in quotes:
            meta = _byline(c)
            lines.append(f'[{c.n}] "{c.sentence}"')
            lines.append(
                f"    {c.source.title}" + (f" ({meta})" if meta else "") + f" chars {c.start}-{c.end}"
            )
            if c.attributed_to:
                lines.append(f"    attributed to: {c.attributed_to}")
            if c.source.also_published_as:
                lines.append(f"    also published as: {', '.join(c.source.also_published_as)}")
            if c.source.note:
                lines.append(f"    Note: {c.source.note}")
    if answer.abstained and answer.related:
        lines.append("Related passages (not an answer):")
        for r in answer.related:
            when = f", {r.source.published.isoformat()}" if r.source.published else ""
            lines.append(f'  - "{r.sentence}" ({r.source.title}{when})')
    if answer.reading:
        lines += [*([""] if lines[-1] else []), reading_line(answer.reading)]
    if answer.explanation:
        lines += ["", explanation_text(answer.explanation)]
    return printable("\n".join(lines).rstrip())


def explanation_text(why: Explanation) -> str:
    """How the question was read, then each candidate with its scores and what became of it."""
    r = why.reading
    period = f"{r.period} ({r.period_from} to {r.period_to})" if r.period else "none"
    read = [
        "How the question was read:",
        f"  kind: {r.kind.value}; period: {period}; as of {r.as_of}",
        f"  counts: {r.counted or '-'}; names: {', '.join(r.names) or '-'}",
        f"  terms: {', '.join(r.terms) or '-'}",
        f"  searched as: {r.read_as}",
        f"Candidates (the answer needs a probability of at least {why.threshold:.2f}):",
    ]
    for n, c in enumerate(why.candidates, start=1):
        rerank = "-" if c.rerank is None else f"{c.rerank:.2f}"
        read.append(f"  {n}. {c.verdict.value}: {c.reason}")
        read.append(f'     "{c.sentence}" ({c.title})')
        read.append(
            f"     probability {c.probability:.2f}, cross-encoder {rerank}, relevance {c.relevance:.2f} "
            f"(dense {c.dense:.2f}, terms {c.lexical:.2f}), period {c.period_fit.value}"
        )
    return "\n".join(read)


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {
        **hit.source.model_dump(mode="json"),
        "snippet": hit.snippet,
        "score": hit.score,
        "marks": [list(mark) for mark in hit.marks],
    }


def marked_snippet(hit: SearchHit) -> str:
    """The snippet with the words that match the query in **bold**."""
    text, shown, at = hit.snippet, [], 0
    for a, b in hit.marks:
        shown += [text[at:a], f"**{text[a:b]}**"]
        at = b
    return "".join([*shown, text[at:]])


def format_hits(hits: list[SearchHit]) -> str:
    if not hits:
        return "No matching articles."
    lines = []
    for n, h in enumerate(hits, start=1):
        s = h.source
        known = ", ".join(part for part in (s.outlet, s.published and s.published.isoformat()) if part)
        lines.append(f"{n}. {s.title}" + (f" ({known})" if known else "") + f" {s.url or s.article_id}")
        lines.append(f"   {marked_snippet(h)}")
    return printable("\n".join(lines))


def format_stats(stats: Stats) -> str:
    return printable("\n".join(f"{key:>20}: {value}" for key, value in stats.model_dump().items()))


def format_ingest(report: IngestReport, index_dir: Path | str) -> str:
    """The summary, and where the archive it changed is."""
    return printable(f"{ingest_summary(report)}\nindex: {index_dir}")


def format_export(report: ExportReport) -> str:
    return printable(
        f"exported {report.articles} articles ({report.sentences} sentences, {report.chunks} chunks) "
        f"with their {report.model} vectors, {report.feedback} feedback and {report.abstentions} "
        f"abstentions kept, {report.samples} sample searches\nfile: {report.path}"
    )


def format_import(report: ImportReport, index_dir: Path | str) -> str:
    """The ingest's summary, then whether the copy holds what the export does."""
    (articles, sentences, chunks), (a, s, c) = report.expected, report.stored
    lines = [
        ingest_summary(report.ingest),
        f"stored {a} of {articles} articles, {s} of {sentences} sentences, {c} of {chunks} chunks; "
        f"{report.embedded} texts embedded again",
        f"feedback added {report.feedback}, abstentions added {report.abstentions}",
        f"sample searches: {report.samples - len(report.misses)} of {report.samples} found the same articles",
    ]
    lines += [f"  differs: {m.query!r}: {m.expected} then, {m.found} now" for m in report.misses]
    lines.append(("verified" if report.verified else "NOT verified") + f"\nindex: {index_dir}")
    return printable("\n".join(lines))


def format_refresh(report: RefreshReport) -> str:
    return printable(refresh_text(report))


def format_gaps(report: GapReport) -> str:
    return printable(gaps_text(report))


def figures_json(report: FigureReport) -> dict[str, Any]:
    """The figures about a topic as JSON: each figure's parsed value and its citation."""
    return {
        "topic": report.topic,
        "things": [
            {
                "thing": t.thing,
                "groups": [
                    {
                        "period": g.label,
                        "period_from": g.period.start.isoformat() if g.period else None,
                        "period_to": g.period.end.isoformat() if g.period else None,
                        "disagree": g.disagree,
                        "figures": [
                            {
                                **f.value.model_dump(mode="json"),
                                "thing": f.thing,
                                "place": f.place,
                                "citation": citation_json(f.citation),
                            }
                            for f in g.figures
                        ],
                    }
                    for g in t.groups
                ],
            }
            for t in report.things
        ],
    }


def format_figures(report: FigureReport) -> str:
    """Each counted thing, its figures by period (newest first) with their citation numbers and
    sources, disagreements flagged; then the cited sentences with the figure in bold."""
    if not report.things:
        return printable(f"No figures about {report.topic!r} in the archive.")
    lines = [f"Figures about {report.topic!r}:"]
    cited = []
    for thing in report.things:
        lines.append(thing.thing)
        for g in thing.groups:
            for f in g.figures:
                lines.append(f"  {g.label}: {figure_text(f)} — {cited_source(f.citation)} [{f.citation.n}]")
                cited.append(f.citation)
            if g.disagree:
                lines.append(f"  sources disagree for {g.label}: {disagreement_text(g)}")
    lines.append("")
    for c in cited:
        meta = _byline(c)
        lines.append(f'[{c.n}] "{marked_sentence(c)}"')
        lines.append(f"    {c.source.title}" + (f" ({meta})" if meta else "") + f" chars {c.start}-{c.end}")
        if c.attributed_to:
            lines.append(f"    attributed to: {c.attributed_to}")
    return printable("\n".join(lines))


def _event_json(event: TimelineEvent) -> dict[str, Any]:
    return {
        "happened_from": event.period.start.isoformat(),
        "happened_to": event.period.end.isoformat(),
        "dated_by": event.period.basis.value,
        "date_words": event.date_words,
        "date_span": list(event.date_span) if event.date_span else None,
        **related_json(event.quote),
        "also_reported_by": [related_json(q) for q in event.also_reported_by],
    }


def timeline_json(timeline: Timeline) -> dict[str, Any]:
    """`newsbot timeline --json`: the topic, the events in date order (each with the days it
    happened, how they were dated, its sentence (`text`) and its offsets in the article, the
    date words' offsets in the sentence, the other articles that report it) and how many
    sentences on the topic gave no date."""
    return {
        "topic": timeline.topic,
        "events": [_event_json(e) for e in timeline.events],
        "undated": timeline.undated,
    }


def marked_date(event: TimelineEvent) -> str:
    """The event's sentence with its date words in **bold**."""
    if event.date_span is None:
        return event.quote.sentence
    a, b = event.date_span
    text = event.quote.sentence
    return f"{text[:a]}**{text[a:b]}**{text[b:]}"


def format_timeline(timeline: Timeline) -> str:
    lines = [timeline_summary(timeline)]
    for n, event in enumerate(timeline.events, start=1):
        q = event.quote
        meta = _byline(q)
        lines += ["", f"{n}. {event_date(event.period)}", f'   "{marked_date(event)}"']
        lines.append(f"   {q.source.title}" + (f" ({meta})" if meta else "") + f" chars {q.start}-{q.end}")
        for other in event.also_reported_by:
            also = _byline(other)
            lines.append(f"   also reported by: {other.source.title}" + (f" ({also})" if also else ""))
    return printable("\n".join(lines))
