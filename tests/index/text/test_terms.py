"""Words, stems and terms: one tokenisation for lexical matching, full-text search and IDF."""

from __future__ import annotations

from index.text.terms import content_terms, index_terms, stem, words


def test_forms_of_a_word_share_a_stem():
    assert stem("investigating") == stem("investigates") == stem("investigation")
    assert stem("carjackings") == stem("carjacking") == stem("carjacked")


def test_a_stem_is_letters_and_digits_only():
    assert stem("2,098") == "2098"
    assert stem("O'Brien's") == stem("OBrien")
    assert stem("Beyoncé") == stem("Beyonce")
    assert stem("Zürich") == "zurich"


def test_words_of_any_script_are_words():
    assert words("Zürich and 北京 in 2021, 2,098 cases") == [
        "Zürich",
        "and",
        "北京",
        "in",
        "2021",
        "2,098",
        "cases",
    ]


def test_content_terms_drop_stop_words_and_repeats_and_keep_numbers():
    assert content_terms("How many carjackings in 2021? Carjackings rose.") == ["carjack", "2021", "rose"]
    assert content_terms("what is the?") == []
    assert content_terms("Chicago chicago CHICAGO police") == ["chicago", "polic"]


def test_index_terms_keep_every_word_in_order_for_term_frequency_and_length():
    assert index_terms("The carjackings, the 2,098 carjackings.") == "the carjack the 2098 carjack"


def test_every_content_term_is_one_index_term():
    text = "Off-duty officer O'Brien's car, in Zürich: 1,204 shots at 9:30 p.m."
    assert set(content_terms(text)) <= set(index_terms(text).split())
