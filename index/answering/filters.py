"""The filters of the articles an answer may come from (`index.models.ArticleFilter`), checked
against the archive before anything is ranked: an outlet it does not hold, or dates no article
can be published between, are the user's to correct."""

from __future__ import annotations

from collections.abc import Sequence

from ..archive.protocol import Archive
from ..errors import BadFilterError
from ..models import ArticleFilter


def unknown_outlet(asked: str, known: Sequence[str], listed: int) -> BadFilterError:
    """The error for an outlet the archive does not hold, listing the first `listed` it does."""
    if not known:
        return BadFilterError(f"No outlet named {asked.strip()!r}: the archive names no outlets.")
    shown = ", ".join(known[:listed])
    more = f" and {len(known) - listed} more" if len(known) > listed else ""
    return BadFilterError(f"No outlet named {asked.strip()!r} in the archive. Known outlets: {shown}{more}.")


def resolved(filters: ArticleFilter, store: Archive, include_internal: bool, listed: int) -> ArticleFilter:
    """`filters` with its outlet as the archive writes it. Only outlets this audience may see
    are matched and listed, so that an error tells no one of an internal outlet."""
    if filters.since and filters.until and filters.since > filters.until:
        raise BadFilterError(
            f"since {filters.since.isoformat()} is after until {filters.until.isoformat()}: "
            "give the earlier day first."
        )
    if filters.outlet is None:
        return filters
    if not filters.outlet.strip():
        raise BadFilterError("The outlet is empty: name one, or leave it out for all outlets.")
    outlet = store.outlet_named(filters.outlet, include_internal)
    if outlet is None:
        raise unknown_outlet(filters.outlet, store.outlets(include_internal), listed)
    return filters.model_copy(update={"outlet": outlet})
