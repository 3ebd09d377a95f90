"""Chunks: consecutive sentences within the token budget, overlapping by one, titled, mapped back."""

from __future__ import annotations

import itertools

import pytest

from index.ingest.chunking import chunk_passage, chunk_sentences
from index.ingest.layout import layout_article
from index.ingest.pipeline import prepare
from index.params import IngestParams
from tests.fixtures.encoder import HashingEncoder, approx_tokens

# ---- chunk_sentences: the grouping itself ------------------------------------------------------


def test_sentences_fill_chunks_up_to_the_budget_and_consecutive_chunks_share_one():
    assert chunk_sentences([50] * 10, budget=200, overlap=1) == [(0, 3), (3, 6), (6, 9)]


def test_overlap_zero_gives_disjoint_chunks():
    assert chunk_sentences([50] * 8, budget=200, overlap=0) == [(0, 3), (4, 7)]


def test_a_sentence_longer_than_the_budget_is_a_chunk_by_itself():
    assert chunk_sentences([50, 500, 50], budget=200, overlap=1) == [(0, 0), (1, 1), (2, 2)]


def test_everything_fits_in_one_chunk_when_under_budget():
    assert chunk_sentences([10, 20, 30], budget=200, overlap=1) == [(0, 2)]


def test_no_sentences_no_chunks():
    assert chunk_sentences([], budget=200, overlap=1) == []


@pytest.mark.parametrize(
    "lengths",
    [[1] * 50, [199, 2, 199, 2], [300] * 5, [7, 180, 13, 60, 60, 60, 90, 5], list(range(1, 60))],
)
def test_chunks_cover_every_sentence_in_order_within_budget(lengths):
    budget = 200
    chunks = chunk_sentences(lengths, budget=budget, overlap=1)
    assert chunks[0].first == 0 and chunks[-1].last == len(lengths) - 1
    covered = set()
    for chunk in chunks:
        covered |= set(range(chunk.first, chunk.last + 1))
        if chunk.last > chunk.first:
            assert sum(lengths[chunk.first : chunk.last + 1]) <= budget
    assert covered == set(range(len(lengths)))
    for before, after in itertools.pairwise(chunks):
        assert before.first < after.first, "progress is made"
        assert after.first <= before.last + 1, "no sentence skipped"


def test_a_chunk_passage_starts_with_the_title_line_and_says_where_each_sentence_lies():
    titled = chunk_passage("Title", ["One.", "Two."])
    assert titled.text == "Title\nOne. Two."
    assert [titled.text[s:e] for s, e in titled.spans] == ["One.", "Two."]
    untitled = chunk_passage("", ["One.", "Two."])
    assert untitled.text == "One. Two."
    assert [untitled.text[s:e] for s, e in untitled.spans] == ["One.", "Two."]


def test_approx_tokens_grows_with_words():
    assert approx_tokens("one") < approx_tokens("one two three four")


# ---- laid-out articles ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_prepared(seed_articles):
    encoder = HashingEncoder()
    articles = list(seed_articles.values())
    return list(zip(articles, prepare(articles, encoder, IngestParams()), strict=True))


def test_seed_chunks_start_and_end_on_sentence_boundaries(seed_prepared):
    for _, prepared in seed_prepared:
        starts = {s.start: s.position for s in prepared.sentences}
        ends = {s.end: s.position for s in prepared.sentences}
        for chunk in prepared.chunks:
            assert starts[chunk.start] == chunk.first_sentence
            assert ends[chunk.end] == chunk.last_sentence


def test_seed_chunk_offsets_map_back_to_the_article_text(seed_prepared):
    for article, prepared in seed_prepared:
        by_position = {s.position: s for s in prepared.sentences}
        for chunk in prepared.chunks:
            span = article.text[chunk.start : chunk.end]
            first, last = by_position[chunk.first_sentence], by_position[chunk.last_sentence]
            assert span.startswith(article.text[first.start : first.end])
            assert span.endswith(article.text[last.start : last.end])


def test_seed_chunk_text_begins_with_the_title_and_holds_its_sentences(seed_prepared):
    for article, prepared in seed_prepared:
        for chunk in prepared.chunks:
            assert chunk.text.startswith(article.title + "\n")
            for s in prepared.sentences:
                if chunk.first_sentence <= s.position <= chunk.last_sentence and not s.boilerplate:
                    assert article.text[s.start : s.end] in chunk.text


def test_seed_chunks_leave_boilerplate_out_of_the_embedded_text(seed_prepared):
    texts = [chunk.text for _, prepared in seed_prepared for chunk in prepared.chunks]
    assert texts
    assert not any("WATCH:" in t or "newsletter" in t or "pic.twitter.com" in t for t in texts)
    assert not any("Ashlee Rezin Garcia/Sun-Times" in t for t in texts)


def test_consecutive_seed_chunks_overlap_by_exactly_one_sentence(seed_prepared):
    pairs = 0
    for _, prepared in seed_prepared:
        for before, after in zip(prepared.chunks, prepared.chunks[1:], strict=False):
            assert after.first_sentence == before.last_sentence
            pairs += 1
    assert pairs >= 2


def test_seed_chunks_fit_the_token_budget(seed_prepared):
    encoder = HashingEncoder()
    for article, prepared in seed_prepared:
        budget = max(64, 230 - encoder.count_tokens(article.title))
        facts = {s.position: s for s in prepared.sentences if not s.boilerplate}
        for chunk in prepared.chunks:
            inside = [facts[p] for p in range(chunk.first_sentence, chunk.last_sentence + 1) if p in facts]
            if len(inside) > 1:
                assert sum(encoder.count_tokens(article.text[s.start : s.end]) for s in inside) <= budget


def test_every_fact_sentence_is_in_some_chunk(seed_prepared):
    for _, prepared in seed_prepared:
        in_chunks = {p for c in prepared.chunks for p in range(c.first_sentence, c.last_sentence + 1)}
        assert {s.position for s in prepared.sentences if not s.boilerplate} <= in_chunks


def test_layout_marks_the_photo_credit_line_as_boilerplate(seed_articles):
    article = next(a for a in seed_articles.values() if a.text.startswith("Ashlee"))
    layout = layout_article(article, HashingEncoder().count_tokens, IngestParams())
    first = layout.spans[0]
    assert article.text[first[0] : first[1]] == "Ashlee Rezin Garcia/Sun-Times"
    assert layout.boilerplate[0] is True
    assert layout.boilerplate.count(False) > 10


@pytest.mark.slow
def test_seed_chunks_fit_the_real_models_input_window(seed_articles, real_encoder):
    """all-MiniLM-L6-v2 reads 256 word pieces, two of them [CLS] and [SEP]: nothing is cut off."""
    for article in seed_articles.values():
        layout = layout_article(article, real_encoder.count_tokens, IngestParams())
        assert layout.chunks
        for first, last in layout.chunks:
            sentences = [
                article.text[s:e]
                for i, (s, e) in enumerate(layout.spans[first : last + 1], start=first)
                if not layout.boilerplate[i]
            ]
            if len(sentences) > 1:
                assert real_encoder.count_tokens(chunk_passage(article.title, sentences).text) <= 254
