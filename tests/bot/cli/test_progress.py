"""An ingest's progress lines: articles done of all, chunks a second, the time left."""

from __future__ import annotations

from bot.cli.progress import duration, progress_line


def test_a_progress_line_gives_articles_the_rate_and_the_time_left():
    assert progress_line(120, 900, 4500, 100.0) == (
        "ingest: 120 of 900 articles, 45.0 chunks/s, about 10m50s left"
    )
    assert progress_line(0, 900, 0, 3.0) == "ingest: 0 of 900 articles, starting"


def test_durations_read_as_a_person_says_them():
    assert [duration(s) for s in (4.4, 190, 3725)] == ["4s", "3m10s", "1h02m"]
