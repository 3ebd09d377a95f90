"""Publication dates as CMS and feed exports write them, read to the day they name."""

from __future__ import annotations

import datetime as dt

import pytest

from index.ingest.dates import UnreadableDate, publication_date

JUNE_2 = dt.date(2022, 6, 2)


@pytest.mark.parametrize(
    "written",
    [
        "2022-06-02",
        "2022/06/02",
        "June 2, 2022",
        "2 June 2022",
        "Jun 2 2022",
        "Thu, 02 Jun 2022 10:00:00 GMT",
        "2022-06-02T10:00:00-05:00",
        "2022-06-02T10:00:00Z",
        "2022-06-02 10:00 CEST",
        "06/02/2022",
        "20220602",
        20220602,
        dt.date(2022, 6, 2),
        dt.datetime(2022, 6, 2, 10, 0),
    ],
)
def test_the_forms_exports_write_are_read_as_their_day(written):
    assert publication_date(written) == JUNE_2


def test_the_day_kept_is_the_one_written_in_its_own_time_zone():
    # 23:30 in Chicago is already 3 June in UTC: the outlet published on 2 June.
    assert publication_date("2022-06-02T23:30:00-05:00") == JUNE_2
    assert publication_date("Thu, 02 Jun 2022 23:30:00 -0500") == JUNE_2


def test_day_and_month_order_is_a_setting_where_both_could_be_a_month():
    assert publication_date("02/06/2022") == dt.date(2022, 2, 6)
    assert publication_date("02/06/2022", day_first=True) == JUNE_2
    assert (
        publication_date("28/07/2022")
        == publication_date("28/07/2022", day_first=True)
        == dt.date(2022, 7, 28)
    ), "a day over 12 can only be the day"
    assert publication_date("2022/06/08", day_first=True) == dt.date(2022, 6, 8), "year, month, day"
    assert publication_date("2022-06-08", day_first=True) == dt.date(2022, 6, 8)


@pytest.mark.parametrize("missing", [None, ""])
def test_no_value_is_no_date(missing):
    assert publication_date(missing) is None


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("yesterday", "is not a date"),
        ("last Tuesday", "is not a date"),
        ("July 28", "lacks a year, a month or a day"),
        ("June 2022", "lacks a year, a month or a day"),
        ("2022", "lacks a year, a month or a day"),
        ("2021-13-45", "is not a date"),
        ("2022-02-30", "is not a date"),
        ("1654128000", "is not a date"),
        ("0001-01-01", "a placeholder"),
        ("9999-12-31T00:00:00", "a placeholder"),
        (True, "is not a date"),
        ("June 2, 2022 " * 20, "is not a date"),
    ],
)
def test_a_value_that_names_no_whole_day_says_what_is_wrong(written, reason):
    with pytest.raises(UnreadableDate) as refused:
        publication_date(written)
    assert reason in str(refused.value) and str(refused.value).startswith("published ")
