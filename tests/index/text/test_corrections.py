"""Correction and update notes are recognised by how they open, with the latest date they give
and the claims they say were wrong; reporting that merely mentions an update is not a note."""

from __future__ import annotations

import datetime as dt

import pytest

from index.text.corrections import find_note, wrong_sentences

STORY = (
    "A water main broke under Elm Street early Tuesday.\n"
    "Crews replaced a 90-year-old cast iron pipe.\n"
    "Correction: An earlier version of this story said the pipe was 60 years old. It was laid in 1934.\n"
    "Updated March 6, 2024, 3:15 p.m.\n"
)


def test_a_correction_and_an_update_line_are_one_note_with_the_update_date():
    note = find_note(STORY)
    assert note is not None
    assert note.text == (
        "Correction: An earlier version of this story said the pipe was 60 years old. It was laid "
        "in 1934. Updated March 6, 2024, 3:15 p.m."
    )
    assert [STORY[a:b] for a, b in note.ranges] == STORY.splitlines()[2:]
    assert note.updated == dt.date(2024, 3, 6)
    assert note.claims == ("the pipe was 60 years old",)


@pytest.mark.parametrize(
    "line",
    [
        "Correction (March 6, 2024): The story misstated the mayor's title.",
        "CLARIFICATION: The fund is run by the county, not the city.",
        "*Editor's note: The names of the students have been withheld.*",
        "UPDATE: The road reopened at 4 p.m.",
        "Updated at 5:40 p.m. with comments from the mayor.",
        "An earlier version of this article misidentified the school's principal.",
        "This story has been updated to include the final vote count.",
    ],
)
def test_notes_are_recognised_by_how_they_open(line):
    assert find_note("The council met on Tuesday.\n" + line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "Updated figures from the county show a rise in rents.",
        "Updates to the zoning code were approved Tuesday: ten in all.",
        "The correction of the river's course cost $2 million, the engineer said.",
        "The mayor said an earlier version of the plan was too costly.",
    ],
)
def test_reporting_that_mentions_updates_or_corrections_is_not_a_note(line):
    assert find_note(line) is None


def test_a_sentence_that_repeats_the_wrong_claim_is_found_and_the_corrected_one_is_not():
    note = find_note(STORY)
    assert note is not None
    sentences = ["Officials said the pipe was 60 years old.", "The pipe was 90 years old.", "Water returned."]
    assert wrong_sentences(sentences, note) == {0}
