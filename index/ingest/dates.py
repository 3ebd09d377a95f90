"""Publication dates as CMS and feed exports write them: ISO dates, '2022/06/02', 'June 2, 2022',
'Thu, 02 Jun 2022 10:00:00 GMT', '2022-06-02T10:00:00-05:00', read by python-dateutil.

A time and a time zone are dropped: the day kept is the one written, in the zone it was written
in ('2022-06-02T23:30:00-05:00' is 2 June, not 3 June in UTC), which is the day the outlet says it
published and the day relative dates in its text ("yesterday") are read against.
"""

from __future__ import annotations

import datetime as dt
import warnings

from dateutil import parser

# CMS exports write 0001-01-01 or 9999-12-31 for "no date"; relative dates ("last year") are read
# against the publication date, and at the ends of the calendar that arithmetic cannot be done.
PUBLISHED_RANGE = (dt.date(1000, 1, 1), dt.date(2999, 12, 31))
# The longest date form exports write is under 60 characters ("Thursday, 02 June 2022 10:00:00
# Central Daylight Time"); anything longer is not a date, and is not handed to the parser.
MAX_DATE_CHARS = 80
# Two fill-ins differing in year, month and day: a part the text lacks ("July 28" has no year)
# comes out of the parser differently with each.
_FILL_INS = (dt.datetime(2000, 1, 1), dt.datetime(2001, 2, 2))


class UnreadableDate(ValueError):
    """The message says what is wrong with the value, for the ingest summary."""


def _parsed(text: str, fill_in: dt.datetime, day_first: bool) -> dt.date:
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    with warnings.catch_warnings():
        # A zone dateutil does not know ("CEST") is dropped like every other zone.
        warnings.simplefilter("ignore", parser.UnknownTimezoneWarning)
        # With the year first the month follows it ('2022/07/08' is 8 July) whichever way
        # day-and-month dates are written: dateutil would read it year, day, month.
        year_first = text[:4].isdigit()
        return parser.parse(text, default=fill_in, dayfirst=day_first and not year_first).date()


def publication_date(value: object, *, day_first: bool = False) -> dt.date | None:
    """The day `value` names, or None when there is no value. `day_first` reads '02/06/2022' as
    2 June rather than 6 February (a day over 12 is read as the day either way)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    else:
        text = str(value).strip()
        shown = text if len(text) <= 40 else text[:40] + "..."
        if len(text) > MAX_DATE_CHARS or isinstance(value, bool):
            raise UnreadableDate(f"published {shown!r} is not a date")
        try:
            date, other = (_parsed(text, fill_in, day_first) for fill_in in _FILL_INS)
        except (ValueError, OverflowError):  # dateutil's ParserError is a ValueError
            raise UnreadableDate(f"published {shown!r} is not a date") from None
        if date != other:
            raise UnreadableDate(f"published {shown!r} lacks a year, a month or a day")
    first, last = PUBLISHED_RANGE
    if not first <= date <= last:
        raise UnreadableDate(
            f"published {date.isoformat()} is outside the years {first.year} to {last.year}: "
            "a placeholder, not a date"
        )
    return date
