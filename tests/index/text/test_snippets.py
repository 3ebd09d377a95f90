"""Search snippets: matched words marked; a long sentence cut between words around the first."""

from __future__ import annotations

from index.text.snippets import ELLIPSIS, cut, matched_words
from index.text.terms import content_terms

SENTENCE = (
    "After a long and detailed review of the many budget documents that the city council had "
    "published over the previous three years, the auditors said the carjacking task force had "
    "spent its money as planned, and that the figures the department gave were, in the end, right."
)


def test_the_words_whose_stems_the_query_has_are_marked_stop_words_never():
    text = "Carjackings rose; the carjacker fled the scene of the hijacking."
    marks = matched_words(text, set(content_terms("the carjacking")))
    assert [text[a:b] for a, b in marks] == ["Carjackings", "carjacker"]


def test_a_short_sentence_is_whole():
    marks = matched_words("Lifeguards returned.", {"lifeguard"})
    assert cut("Lifeguards returned.", marks, 300) == ("Lifeguards returned.", marks)


def test_a_long_sentence_is_cut_between_words_around_the_first_match_with_ellipses():
    marks = matched_words(SENTENCE, set(content_terms("carjacking task force")))
    text, shifted = cut(SENTENCE, marks, 120)
    assert len(text) <= 120
    assert text.startswith(f"{ELLIPSIS} ") and text.endswith(f" {ELLIPSIS}")
    inner = text[2:-2]
    assert inner in SENTENCE, "cut, never rewritten"
    at = SENTENCE.index(inner)
    assert SENTENCE[at - 1] == " " and SENTENCE[at + len(inner)] == " ", "cut at word boundaries"
    assert [text[a:b] for a, b in shifted] == ["carjacking", "task", "force"]


def test_a_sentence_matched_near_its_start_is_cut_only_at_its_end():
    marks = matched_words(SENTENCE, {"review"})
    text, shifted = cut(SENTENCE, marks, 100)
    assert text.startswith("After a long") and text.endswith(f" {ELLIPSIS}")
    assert [text[a:b] for a, b in shifted] == ["review"]
