"""Whom a sentence attributes what it says to."""

from __future__ import annotations

import pytest

from index.text.attribution import attributed_source


@pytest.mark.parametrize(
    ("sentence", "source"),
    [
        ("Just 57 of those cases have resulted in an arrest, according to city data.", "city data"),
        (
            "In 2021 alone, the Cook County Sheriff's Office confirms that Chicago saw 2,098 incidents.",
            "Cook County Sheriff's Office",
        ),
        ("ABC 7 Chicago reports that three people attempted to rob the officer.", "ABC 7 Chicago"),
        ("Earlier this year, The Chicago-Sun Times reported more than 500 carjackings.", "Chicago-Sun Times"),
        (
            "According to data analyzed from NBC 5 Investigates, Chicago saw 942 hijackings.",
            "NBC 5 Investigates",
        ),
        ('"We just don\'t know yet," Supt. Brown said.', "Supt. Brown"),
        ("The fund grew to £124bn in 2023, the Treasury said.", "Treasury"),
        ("Officials say the man was shot in the leg.", "Officials"),
        ("Burglaries fell by a third, said Mayor Ada Quinn.", "Mayor Ada Quinn"),
    ],
)
def test_the_attributed_source_is_found_in_the_ways_news_copy_names_it(sentence, source):
    span = attributed_source(sentence)
    assert span is not None and sentence[span[0] : span[1]] == source


def test_a_sentence_that_attributes_nothing_has_no_source():
    assert attributed_source("Three people attempted to rob the officer near 87th Street.") is None
