"""Embeds for the archive's upkeep: a refresh's summary and the coverage report."""

from __future__ import annotations

from index import GapReport, RefreshReport

from ..wording import gaps_text, refresh_text
from .rendering import DESCRIPTION_MAX, INFO_COLOUR, Page, fit, inert


def render_refresh(report: RefreshReport) -> Page:
    return fit(
        title="Feeds refreshed",
        description=inert(refresh_text(report), DESCRIPTION_MAX),
        fields=[],
        footer=lambda n: "",
        colour=INFO_COLOUR,
    )


def render_gaps(report: GapReport) -> Page:
    return fit(
        title="Coverage gaps: what the archive could not answer",
        description=inert(gaps_text(report), DESCRIPTION_MAX),
        fields=[],
        footer=lambda n: "",
        colour=INFO_COLOUR,
    )
