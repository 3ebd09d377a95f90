"""Sentence spans: news abbreviations and numbers do not end a sentence; every span maps back."""

from __future__ import annotations

import pytest

from index.text.sentences import _MAX_SENTENCE, split_sentences


def sentences_of(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def assert_spans_map_back(text: str) -> None:
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        sentence = text[start:end]
        assert sentence, (start, end)
        assert sentence == sentence.strip(), repr(sentence)
        assert start >= previous_end, "spans are in order and do not overlap"
        previous_end = end


@pytest.fixture(scope="module")
def seed_sentences(seed_articles) -> list[str]:
    return [s for article in seed_articles.values() for s in sentences_of(article.text)]


@pytest.mark.parametrize(
    "fragment",
    [
        "Jan. 1 through July 24",
        "Supt. Brown",
        "6:05 p.m. in the 8800 block",
        "2,098",
        "Dr. Susan Rowell",
        "(312) 747-8271",
    ],
)
def test_abbreviations_times_and_numbers_stay_inside_one_seed_sentence(seed_sentences, fragment):
    holding = [s for s in seed_sentences if fragment in s]
    assert len(holding) == 1, f"{fragment!r} is split across sentences or missing: {holding}"


def test_seed_sentences_are_whole_sentences(seed_sentences):
    assert (
        "Officials say the incident took place around 6:05 p.m. in the 8800 block of South "
        "Constance Avenue." in seed_sentences
    )
    assert (
        "In 2021 alone, the Cook County Sheriff's Office confirms that Chicago saw nearly 2,098 "
        "incidents of vehicular hijacking." in seed_sentences
    )
    assert "Just 57 of those cases have resulted in an arrest, according to city data." in seed_sentences


def test_every_seed_span_maps_back_to_the_text_stripped_and_non_empty(seed_articles):
    for article in seed_articles.values():
        assert_spans_map_back(article.text)
        assert len(split_sentences(article.text)) > 10


def test_a_line_break_ends_a_sentence():
    text = "Ashlee Rezin Garcia/Sun-Times\n\nThe officer was treated at a hospital"
    assert sentences_of(text) == ["Ashlee Rezin Garcia/Sun-Times", "The officer was treated at a hospital"]


def test_two_sentences_on_one_line_are_split():
    text = "The suspects fled on foot. Police said nobody was arrested."
    assert sentences_of(text) == ["The suspects fled on foot.", "Police said nobody was arrested."]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", " \t \n "])
def test_blank_text_has_no_sentences(text):
    assert split_sentences(text) == []


def test_spans_skip_surrounding_whitespace():
    text = "   Leading spaces.   \n\t Trailing tab line.\t\n"
    assert sentences_of(text) == ["Leading spaces.", "Trailing tab line."]
    assert_spans_map_back(text)


def test_one_100k_character_line_without_punctuation_gives_bounded_spans():
    text = " ".join(f"word{i % 97}" for i in range(15_000))[:100_000]
    assert len(text) == 100_000
    spans = split_sentences(text)
    assert spans
    assert all(end - start <= _MAX_SENTENCE for start, end in spans)
    assert_spans_map_back(text)
    # Nothing is lost: the spans and the spaces between them make up the whole text.
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


def test_one_100k_character_word_is_cut_into_bounded_spans():
    text = "x" * 100_000
    spans = split_sentences(text)
    assert all(0 < end - start <= _MAX_SENTENCE for start, end in spans)
    assert sum(end - start for start, end in spans) == len(text)
    assert_spans_map_back(text)


def test_unicode_quotes_and_dashes_keep_offsets_exact():
    text = "“He remained stable,” said Dr. Rowell — a surgeon. Police’s search goes on…\nNext"
    assert_spans_map_back(text)
    assert sentences_of(text)[-1] == "Next"


@pytest.mark.parametrize("text", ["\x1f0. ", "Item \x1f1. One.\x0b2. Two.", "\x00\x01\x02 The end."])
def test_control_characters_do_not_stop_the_splitter(text):
    """pysbd raised ValueError on "\\x1f0." (hypothesis found it): the split goes on."""
    spans = split_sentences(text)
    assert spans and all(text[a:b] == text[a:b].strip() for a, b in spans)
