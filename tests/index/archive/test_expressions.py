"""Milvus filter expressions written from values (index/archive/milvus/expressions.py)."""

import datetime as dt

from index.archive.milvus.expressions import audience, filtered, like_contains, outlet_key, quoted
from index.models import ArticleFilter


def test_a_quoted_value_escapes_what_would_end_or_bend_the_literal():
    assert quoted('say "hi"') == '"say \\"hi\\""'
    assert quoted("back\\slash") == '"back\\\\slash"'
    assert quoted("two\nlines") == '"two\\nlines"'


def test_a_like_pattern_takes_the_fragment_literally():
    assert like_contains("50%_off") == '"%50\\\\%\\\\_off%"'


def test_outlets_compare_as_the_embedded_archive_compares_them():
    assert outlet_key("  NBC 5 Chicago ") == "nbc 5 chicago"
    assert outlet_key("Ärzte Zeitung") == "Ärzte zeitung"  # ASCII case only, as SQLite's lower()
    assert outlet_key(None) == ""


def test_the_audience_sees_published_public_articles_or_with_internal_ones_all_published():
    assert audience(False) == 'status == "published" and visibility == "public"'
    assert audience(True) == 'status == "published"'
    assert audience(True, retracted=True) == 'status == "retracted"'


def test_filters_bound_the_outlet_and_the_days_and_until_leaves_out_undated_articles():
    where = filtered(ArticleFilter(outlet="NBC", since=dt.date(2022, 1, 1), until=dt.date(2022, 12, 31)))
    assert where == (
        ' and outlet_key == "nbc" and published_day >= 738156'
        " and published_day <= 738520 and published_day != -1"
    )
    assert filtered(None) == filtered(ArticleFilter()) == ""
