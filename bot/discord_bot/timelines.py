"""Discord embeds for timelines: one page of events at a time, within Discord's limits."""

from __future__ import annotations

from index import Quote, Timeline, TimelineEvent

from ..wording import event_date, timeline_summary
from .rendering import (
    DESCRIPTION_MAX,
    FIELD_NAME_MAX,
    INFO_COLOUR,
    TITLE_MAX,
    Page,
    byline,
    fit,
    inert,
    link,
    quoted,
)

EVENTS_PER_PAGE = 5
ALSO_MAX = 200  # the "also reported by" line under an event's quote


def _also(quotes: list[Quote]) -> str:
    names = "; ".join(byline(q.source.outlet, q.source.published) for q in quotes)
    return inert(f"Also reported by: {names}", ALSO_MAX) if quotes else ""


def _event_field(n: int, event: TimelineEvent) -> tuple[str, str]:
    name = inert(f"{n}. {event_date(event.period)}", FIELD_NAME_MAX)
    source = event.quote.source
    tail = f"— {link(source.title, source.url)} · {byline(source.outlet, source.published)}"
    also = _also(event.also_reported_by)
    return name, quoted(event.quote.sentence, tail + (f"\n{also}" if also else ""))


def render_timeline(timeline: Timeline, start: int = 0) -> Page:
    """The events from `start`, a page of them; `Page.shown` counts those shown, so the next page
    starts at `start + shown`."""
    events = timeline.events[start : start + EVENTS_PER_PAGE]
    total = len(timeline.events)

    def footer(n: int) -> str:
        if not n:
            return ""
        shown = f"Event {start + 1}" if n == 1 else f"Events {start + 1}–{start + n}"
        return f"{shown} of {total} · ordered by when they happened · quotes are verbatim"

    return fit(
        title=inert(f"Timeline: {timeline.topic}", TITLE_MAX),
        description=inert(timeline_summary(timeline), DESCRIPTION_MAX),
        fields=[_event_field(start + i, e) for i, e in enumerate(events, start=1)],
        footer=footer,
        colour=INFO_COLOUR,
    )
