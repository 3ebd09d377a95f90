"""Discord embeds for answers, search hits, articles and stats.

Pure functions: no network, no engine. Every embed they return is within Discord's limits
whatever the input, and every piece of archive or user text is quoted so that nothing in it is
markup: it can neither format, link, mention, ping nor reorder what follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import discord
from discord.utils import escape_mentions

from index import Answer, ArticleInfo, Citation, FigureReport, IngestReport, Quote, SearchHit, Stats

from ..display import BIDI_CONTROLS
from ..wording import (
    NO_PERIOD,
    abstention_reason,
    cited_source,
    disagreement_text,
    figure_text,
    ingest_summary,
    lead,
    reading_line,
    retraction_note,
)

# Discord's documented limits; lengths are counted in code points (Discord's API is Python).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
TOTAL_MAX = 6000
CONTENT_MAX = 2000
THREAD_NAME_MAX = 100
CHOICE_MAX = 100

# Our footers are short; capping them keeps the budget arithmetic below simple.
FOOTER_BUDGET = 100
READING_MAX = 200  # how the question was read, the first line of an answer's footer
ANSWER_FOOTER_MAX = READING_MAX + 1 + FOOTER_BUDGET
# The answer text keeps at least this much room before citations are moved to the next page.
DESCRIPTION_RESERVE = 2000
CITATIONS_PER_PAGE = 4
URL_MAX = 512
LABEL_MAX = 150  # link text; with URL_MAX this leaves a quote at least ~350 characters
OUTLET_MAX = 60
NOTE_MAX = 250  # an article's correction note under its citation
ATTRIBUTION_MAX = 120  # whom a cited sentence attributes what it says to
FIGURE_LINE_MAX = 400  # one figure of /figures, with its period and sources
FIGURES_PER_PAGE = 5  # as a timeline's events: each comes with its citation field
EMPTY = "\u200b"  # Discord rejects empty field names and values.

ANSWER_COLOUR = discord.Colour.dark_green()
ABSTAIN_COLOUR = discord.Colour.light_grey()
INFO_COLOUR = discord.Colour.blurple()


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    return text[: limit - 1].rstrip() + "…"


# Every character Discord's markdown gives a meaning to: emphasis, underline, strike, spoilers,
# code, quotes, headings, lists ("-", "1."), masked links, autolinks ("https:") and the <...> of
# mentions, channels, slash commands, emoji and timestamps. Discord shows a backslashed one as
# itself, wherever it stands (discord.py's escape_markdown leaves links and <...> live).
_MARKUP = "\\*_~|`>#-[]()<:."
_QUOTED = {ord(c): "\\" + c for c in _MARKUP} | dict.fromkeys(map(ord, BIDI_CONTROLS))


def inert(text: str, limit: int) -> str:
    """Archive or user text with nothing in it markup (each markup character backslashed, the
    bidirectional overrides dropped, no pings), cut to `limit` characters."""
    # Quoting only lengthens text, so cutting first bounds the work on huge inputs.
    return truncate(escape_mentions(text[: limit + 1].translate(_QUOTED)), limit)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL that cannot break out of a markdown link or pose as another site, or None."""
    if not url or len(url) > URL_MAX:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if "@" in parts.netloc or "\\" in parts.netloc:  # "https://trusted.example@evil.example/"
        return None
    quoted_url = quote(url.strip(), safe=":/?#@!$&'*+,;=%~.-_")
    return quoted_url if len(quoted_url) <= URL_MAX else None


def link(text: str, url: str | None) -> str:
    """`text` (cut to LABEL_MAX) as a markdown link to `url` when the URL is safe, else plain."""
    label = inert(text or "Untitled", LABEL_MAX)
    target = safe_url(url)
    return f"[{label}]({target})" if target else label


def format_date(date: dt.date | None, inferred: bool = False) -> str:
    if date is None:
        return "date unknown"
    return f"{date.isoformat()} (inferred)" if inferred else date.isoformat()


def byline(outlet: str | None, date: dt.date | None) -> str:
    """'Outlet · 2021-05-03', the outlet cut to OUTLET_MAX; only the date when the outlet is not
    known (nothing rather than "Unknown outlet")."""
    when = format_date(date)
    return f"{inert(outlet, OUTLET_MAX)} · {when}" if outlet else when


def quoted(text: str, tail: str) -> str:
    """A field value: the quote, cut to fit, then `tail` (a link: at most ~2 * LABEL_MAX + URL_MAX)."""
    room = max(FIELD_VALUE_MAX - len(tail) - 3, 0)  # two quote marks and a newline
    return f"“{inert(text.strip(), room)}”\n{tail}"


@dataclass(frozen=True)
class Page:
    """One rendered embed and how many of the items offered to it were shown."""

    embed: discord.Embed
    shown: int


def fit(
    *,
    title: str,
    description: str,
    fields: Sequence[tuple[str, str]],
    footer: Callable[[int], str],
    colour: discord.Colour,
    url: str | None = None,
    inline: bool = False,
    footer_max: int = FOOTER_BUDGET,
) -> Page:
    """An embed within every limit: trailing fields are dropped before the description shrinks.

    `footer(n)` gives the footer for n shown fields (at most `footer_max` characters), so it can
    say what was left out.
    """
    title = truncate(title.strip() or EMPTY, TITLE_MAX)
    fields = [
        (
            truncate(name.strip() or EMPTY, FIELD_NAME_MAX),
            truncate(value.strip() or EMPTY, FIELD_VALUE_MAX),
        )
        for name, value in fields[:FIELDS_MAX]
    ]
    description = truncate(description.strip(), DESCRIPTION_MAX)
    fixed = len(title) + footer_max
    field_budget = TOTAL_MAX - fixed - min(len(description), DESCRIPTION_RESERVE)
    while fields and sum(len(n) + len(v) for n, v in fields) > field_budget:
        fields.pop()
    used = fixed + sum(len(n) + len(v) for n, v in fields)
    description = truncate(description, min(DESCRIPTION_MAX, TOTAL_MAX - used))

    embed = discord.Embed(title=title, description=description or None, colour=colour, url=safe_url(url))
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=inline)
    footer_text = truncate(footer(len(fields)), footer_max)
    if footer_text:
        embed.set_footer(text=footer_text)
    return Page(embed=embed, shown=len(fields))


def _citation_field(citation: Citation) -> tuple[str, str]:
    source = citation.source
    name = f"[{citation.n}] {byline(source.outlet, source.published)}"
    if citation.period:
        name += f" · covers {inert(citation.period, 60)}"
    if source.updated:
        name += f" · updated {format_date(source.updated)}"
    tail = "— " + link(source.title, source.url)
    if citation.attributed_to:
        tail += "\n" + inert(f"attributed to: {citation.attributed_to}", ATTRIBUTION_MAX)
    if source.note:
        tail += "\n" + inert(f"Note: {source.note}", NOTE_MAX)
    return truncate(name, FIELD_NAME_MAX), quoted(citation.sentence, tail)


def _related_field(related: Quote) -> tuple[str, str]:
    source = related.source
    name = f"Related: {byline(source.outlet, source.published)}"
    return truncate(name, FIELD_NAME_MAX), quoted(related.sentence, "— " + link(source.title, source.url))


def marked(citation: Citation, limit: int) -> str:
    """The cited sentence made inert, with its answer span in bold."""
    text = citation.sentence
    if citation.answer_span is None:
        return inert(text, limit)
    a, b = citation.answer_span
    return truncate(f"{inert(text[:a], limit)}**{inert(text[a:b], limit)}**{inert(text[b:], limit)}", limit)


def answer_description(answer: Answer) -> str:
    """The answer itself in bold (`wording.lead`), then the statements that give it, each with
    its citation number; a list of figures with their periods."""
    if len(answer.lines) == 1:
        line = answer.lines[0]
        quote = f"{marked(answer.citation(line.citation), DESCRIPTION_MAX)} [{line.citation}]"
        first = lead(answer)
        return truncate(f"**{inert(first, 300)}**\n{quote}", DESCRIPTION_MAX) if first else quote
    listed = []
    for line in answer.lines:
        cited = answer.citation(line.citation)
        figure = f"**{inert(cited.answer_text, 100)}** — " if cited.answer_text else ""
        period = inert(line.period or NO_PERIOD, 200)
        listed.append(f"- {period}: {figure}{marked(cited, DESCRIPTION_MAX)} [{line.citation}]")
    return truncate("Sources give these figures:\n" + "\n".join(listed), DESCRIPTION_MAX)


def plain(text: str, limit: int) -> str:
    """Text for a footer, which Discord shows as it is (no markdown): without bidirectional
    overrides or anything that reads as a mention, cut to `limit`."""
    return truncate(escape_mentions(text[: limit + 1].translate(_UNORDERED)), limit)


_UNORDERED = dict.fromkeys(map(ord, BIDI_CONTROLS))


def with_reading(answer: Answer, footer: Callable[[int], str]) -> Callable[[int], str]:
    """`footer` after a first line saying how the question was read (`wording.reading_line`)."""
    if answer.reading is None:
        return footer
    read = plain(reading_line(answer.reading), READING_MAX)
    return lambda n: f"{read}\n{truncate(footer(n), FOOTER_BUDGET)}"


def render_answer(answer: Answer, start: int = 0) -> Page:
    """The answer with citations from `start` (a page of them); abstentions show related passages.
    The footer says first how the question was read.

    `Page.shown` counts the citations shown, so the next page starts at `start + shown`.
    """
    title = inert(answer.question, TITLE_MAX)
    if answer.abstained:
        reason = abstention_reason(answer)
        description = "**Not in the archive.**\n" + inert(
            reason[0].upper() + reason[1:] + ".", DESCRIPTION_MAX
        )
        note = retraction_note(answer)
        if note:
            description += "\n" + inert(note, 400)
        if answer.related:
            description += "\n\nThe closest passages are below as related reading, not as an answer."
        fields = [_related_field(r) for r in answer.related[:CITATIONS_PER_PAGE]]
        page = fit(
            title=title,
            description=description,
            fields=fields,
            footer=with_reading(
                answer,
                lambda n: "Nothing in the archive answers this." if n == 0 else f"{n} related passages",
            ),
            colour=ABSTAIN_COLOUR,
            footer_max=ANSWER_FOOTER_MAX,
        )
        return Page(embed=page.embed, shown=0)

    cited = answer.quoted[start : start + CITATIONS_PER_PAGE]
    total = len(answer.quoted)

    def footer(n: int) -> str:
        shown = f"Source {start + 1}" if n == 1 else f"Sources {start + 1}–{start + n}"
        return f"{shown} of {total} · quotes are verbatim from the archive" if n else "Quotes are verbatim."

    note = retraction_note(answer)
    return fit(
        title=title,
        description=truncate(
            answer_description(answer) + (f"\n{inert(note, 400)}" if note else ""), DESCRIPTION_MAX
        ),
        fields=[_citation_field(c) for c in cited],
        footer=with_reading(answer, footer),
        colour=ANSWER_COLOUR,
        footer_max=ANSWER_FOOTER_MAX,
    )


def figures_description(report: FigureReport, start: int, stop: int) -> str:
    """Figures `start` to `stop` (counted through every thing and period): each counted thing in
    bold, its figures by period with their sources and citation numbers, sources that disagree
    flagged after the period's last figure."""
    lines: list[str] = []
    n = 0
    for thing in report.things:
        headed = False  # a thing's heading comes on each page that lists its figures
        for g in thing.groups:
            for f in g.figures:
                if start <= n < stop:
                    if not headed:
                        lines.append(f"**{inert(thing.thing, 200)}**")
                        headed = True
                    line = f"- {g.label}: **{figure_text(f)}** — {cited_source(f.citation)}"
                    number = inert(f" [{f.citation.n}]", FIGURE_LINE_MAX)  # kept when the line is cut
                    lines.append(inert_figure_line(line, FIGURE_LINE_MAX - len(number)) + number)
                n += 1
            if g.disagree and g.figures and start <= n - 1 < stop:
                lines.append(
                    inert(f"⚠ sources disagree for {g.label}: {disagreement_text(g)}", FIGURE_LINE_MAX)
                )
    return "\n".join(lines)


def inert_figure_line(line: str, limit: int) -> str:
    """A figure line with its archive text made inert and its bold markers kept."""
    parts = line.split("**")
    return truncate("**".join(inert(part, limit) for part in parts), limit)


def _figures_page(
    report: FigureReport, cited: Sequence[Citation], start: int, count: int
) -> tuple[Page, bool]:
    """The page of `count` figures from `start`, and whether it shows them whole: every
    citation and every line of the description."""

    def footer(n: int) -> str:
        shown = f"Figure {start + 1}" if n == 1 else f"Figures {start + 1}–{start + n}"
        return f"{shown} of {len(cited)} · newest period first"

    description = figures_description(report, start, start + count)
    page = fit(
        title=inert(f"Figures: {report.topic}", TITLE_MAX),
        description=description,
        fields=[_citation_field(c) for c in cited[start : start + count]],
        footer=footer,
        colour=INFO_COLOUR,
    )
    return page, page.shown == count and (page.embed.description or "") == description.strip()


def render_figures(report: FigureReport, start: int = 0, chart: str | None = None) -> Page:
    """The figures about a topic from figure `start` (counted through every thing and period), a
    page of them, each listed with its citation; `Page.shown` counts those shown, so the next page
    starts at `start + shown`. `chart` names an attached image to show."""
    cited = [f.citation for t in report.things for g in t.groups for f in g.figures]
    if not cited:
        page = fit(
            title=inert(f"Figures: {report.topic}", TITLE_MAX),
            description=inert(f"No figures about {report.topic!r} in the archive.", DESCRIPTION_MAX),
            fields=[],
            footer=lambda n: "",
            colour=INFO_COLOUR,
        )
    else:
        # Fewer figures when a page would cut its description or drop a citation; one figure
        # always fits whole, its lines being capped at FIGURE_LINE_MAX.
        count = min(FIGURES_PER_PAGE, len(cited) - start)
        page, whole = _figures_page(report, cited, start, count)
        while not whole and count > 1:
            count -= 1
            page, whole = _figures_page(report, cited, start, count)
    if chart:
        page.embed.set_image(url=f"attachment://{chart}")
    return page


def _hit_tail(hit: SearchHit) -> str:
    target = safe_url(hit.source.url)
    return byline(hit.source.outlet, hit.source.published) + (f" · [read]({target})" if target else "")


def render_search(query: str, hits: Sequence[SearchHit]) -> Page:
    fields = [
        (
            inert(f"{i}. {hit.source.title or 'Untitled'}", FIELD_NAME_MAX),
            quoted(hit.snippet, _hit_tail(hit)),
        )
        for i, hit in enumerate(hits, 1)
    ]
    return fit(
        title=inert(f"Search: {query}", TITLE_MAX),
        description="" if hits else "No matching articles in the archive.",
        fields=fields,
        footer=lambda n: f"{n} of {len(hits)} matches" if hits else "",
        colour=INFO_COLOUR,
    )


def also_published(names: Sequence[str]) -> str:
    """The other places the same text arrived: links for urls, as many as the field holds; the
    rest (files, which are the server's paths) only counted."""
    shown: list[str] = []
    for name in names:
        if safe_url(name) and len(", ".join([*shown, link(name, name)])) <= FIELD_VALUE_MAX - 20:
            shown.append(link(name, name))
    rest = len(names) - len(shown)
    if rest:
        shown.append(f"{rest} more" if shown else f"{rest} {'copy' if rest == 1 else 'copies'} in files")
    return ", ".join(shown)


def render_article(info: ArticleInfo) -> Page:
    fields = [
        ("Outlet", inert(info.outlet or "unknown", 200)),
        ("Published", format_date(info.published, info.published_inferred)),
        ("Author", inert(info.author or "unknown", 200)),
        ("Visibility", info.visibility.value),
        ("Status", info.status.value),
        ("Size", f"{info.sentences} sentences, {info.chunks} chunks"),
        ("Link", link(info.url, info.url) if info.url else "none"),
        ("ID", inert(info.article_id, 300)),
    ]
    if info.also_published_as:
        fields.append(("Also published as", also_published(info.also_published_as)))
    return fit(
        title=inert(info.title or "Untitled", TITLE_MAX),
        description="",
        fields=fields,
        footer=lambda n: "",
        colour=INFO_COLOUR,
        url=info.url,
        inline=True,
    )


def render_stats(stats: Stats) -> Page:
    last = stats.last_ingest.strftime("%Y-%m-%d %H:%M UTC") if stats.last_ingest else "never"
    fields = [
        ("Articles", f"{stats.articles} ({stats.internal} internal, {stats.retracted} retracted)"),
        ("Sentences", str(stats.sentences)),
        ("Chunks", str(stats.chunks)),
        ("Last ingest", last),
        ("Feedback", f"{stats.feedback_helpful} helpful, {stats.feedback_unhelpful} not helpful"),
        (
            "Last refresh",
            f"{stats.last_refresh:%Y-%m-%d %H:%M UTC}: {inert(stats.last_refresh_summary or '', 300)}"
            if stats.last_refresh
            else "never",
        ),
        ("Model", inert(f"{stats.model} ({stats.dimension} dimensions)", 200)),
    ]
    return fit(
        title="Archive statistics",
        description="",
        fields=fields,
        footer=lambda n: "",
        colour=INFO_COLOUR,
        inline=True,
    )


def render_ingest(file_name: str, report: IngestReport) -> Page:
    return fit(
        title=inert(f"Ingested {file_name}", TITLE_MAX),
        description=inert(ingest_summary(report), DESCRIPTION_MAX),
        fields=[],
        footer=lambda n: "",
        colour=INFO_COLOUR,
    )


HELP_TEXT = (
    "I answer questions from the newsroom's archive, quoting the sentences I rely on.\n\n"
    "`/ask question:` an answer with numbered sources (`private:true` shows it only to you; "
    "`outlet:`, `since:` and `until:` (YYYY-MM-DD) keep to those articles; `as_of:` is the day "
    "'this week' is read against)\n"
    "`/search query:` matching articles with dates and links (`outlet:`, `since:`, `until:` as for /ask)\n"
    "`/figures topic:` every figure the archive gives about a topic, by period, with its sources\n"
    "`/timeline topic:` the dated events reported about a topic, in the order they happened\n"
    "`/article title:` an article's details and link\n"
    "`/stats` what the archive holds\n"
    "`/ingest file:` add an article file (.md, .txt, .jsonl); admins only\n"
    "`/refresh` read the configured feeds now, `/report` the topics I could not answer; admins only\n\n"
    "You can also DM me a question, or mention me in a newsroom channel: I answer in a thread, "
    'and follow-ups there ("and in 2022?") are read against the previous question. '
    "When the archive does not hold the answer, I say so and show related passages."
)


def render_help() -> Page:
    return fit(
        title="newsbot help",
        description=HELP_TEXT,
        fields=[],
        footer=lambda n: "",
        colour=INFO_COLOUR,
    )


def notice(text: str) -> str:
    """A short plain message (refusals, errors) that cannot format or ping."""
    return inert(text, CONTENT_MAX)


def thread_name(question: str) -> str:
    """A thread name from a question: one line, never empty, within Discord's 100 characters."""
    name = " ".join(question.split())
    return truncate(name, THREAD_NAME_MAX) or "Question"
