"""Milvus filter expressions, written from values: strings quoted with the escapes Milvus's
parser knows, so that no outlet or title can change what an expression says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ...models import ArticleFilter

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
NO_DAY = -1  # the published day of an article without a date


def quoted(value: str) -> str:
    """`value` as a Milvus string literal."""
    return '"' + "".join(_ESCAPES.get(c, c) for c in value) + '"'


def like_contains(fragment: str) -> str:
    """A LIKE pattern matching values that hold `fragment` (its own % and _ taken literally)."""
    literal = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return quoted(f"%{literal}%")


def ids_in(field: str, ids: Iterable[int]) -> str:
    return f"{field} in [{', '.join(str(int(i)) for i in ids)}]"


def day_number(day: dt.date | None) -> int:
    """A publication date as the number filters compare; NO_DAY for none."""
    return day.toordinal() if day is not None else NO_DAY


def outlet_key(outlet: str | None) -> str:
    """An outlet as filters compare it: ASCII case and surrounding spaces ignored (as the
    embedded archive's lower(trim(outlet)))."""
    return "".join(c.lower() if c.isascii() else c for c in (outlet or "").strip(" "))


def audience(include_internal: bool, retracted: bool = False) -> str:
    """The rows of articles this audience may be shown; with `retracted`, the retracted ones."""
    status = 'status == "retracted"' if retracted else 'status == "published"'
    return status if include_internal else f'{status} and visibility == "public"'


def filtered(filters: ArticleFilter | None) -> str:
    """The conditions `filters` puts on rows carrying an article's outlet key and day (each
    after an `and`)."""
    if filters is None:
        return ""
    conditions = []
    if filters.outlet is not None:
        conditions.append(f"outlet_key == {quoted(outlet_key(filters.outlet))}")
    if filters.since is not None:
        conditions.append(f"published_day >= {day_number(filters.since)}")
    if filters.until is not None:
        conditions.append(f"published_day <= {day_number(filters.until)} and published_day != {NO_DAY}")
    return "".join(f" and {c}" for c in conditions)
