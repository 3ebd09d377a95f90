"""Sentences read in their passage: `pooled_spans` on token vectors, and every backend's
`encode_spans` giving a passage's vector and its spans' in one pass."""

from __future__ import annotations

import json

import numpy as np
import pytest

from index.encoders import openvino_export
from index.encoders.base import pooled_spans, spans_apart
from index.encoders.factory import bundled_model_dir, load_encoder
from index.encoders.torch_encoder import mean_pooled
from index.ingest.chunking import chunk_passage
from tests.fixtures.encoder import HashingEncoder


def test_a_span_is_the_unit_mean_of_the_tokens_inside_it():
    tokens = np.array([[9.0, 9.0], [1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [9.0, 9.0]])
    offsets = np.array([[0, 0], [0, 3], [4, 7], [8, 11], [0, 0]])  # [CLS] w w w [SEP]
    mask = np.ones(5)
    out = pooled_spans(tokens, offsets, mask, [(0, 7), (8, 11), (4, 11)])
    assert np.allclose(out[0], [1.0, 0.0]), "the mean (2, 0) of the first two words, as a unit vector"
    assert np.allclose(out[1], [0.0, 1.0])
    assert np.allclose(out[2], np.array([3.0, 2.0]) / np.hypot(3.0, 2.0))


def test_special_padded_and_unread_tokens_are_not_pooled():
    tokens = np.array([[5.0, 0.0], [0.0, 1.0], [7.0, 7.0]])
    offsets = np.array([[0, 0], [0, 4], [0, 4]])  # the last row is padding
    mask = np.array([1, 1, 0])
    out = pooled_spans(tokens, offsets, mask, [(0, 4), (10, 20)])
    assert np.allclose(out[0], [0.0, 1.0])
    assert not out[1].any(), "a span past what the model read is a zero row"


def test_a_model_that_cannot_pool_spans_embeds_each_span_by_itself():
    encoder = HashingEncoder(dimension=32)
    passage = chunk_passage("Budget vote", ["The council met.", "It voted 7-2."])
    vectors, spans = spans_apart(encoder, [passage.text, "x y"], [passage.spans, []])
    assert np.allclose(vectors, encoder.encode([passage.text, "x y"]))
    assert np.allclose(spans[0], encoder.encode(["The council met.", "It voted 7-2."]))
    assert spans[1].shape == (0, 32)


@pytest.fixture(scope="module")
def torch_encoder():
    return load_encoder(backend="torch")


PASSAGE = chunk_passage(
    "Carjackings rise in Cook County",
    [
        "The sheriff's office counted nearly 2,098 carjackings in 2021.",
        "That was twice the year before, it said.",
        "Officials blamed a shortage of officers.",
    ],
)


@pytest.mark.slow
def test_the_bundled_model_is_mean_pooled(torch_encoder):
    assert mean_pooled(torch_encoder._model)


@pytest.mark.slow
def test_every_backend_pools_a_passages_sentences_alike(real_encoder, torch_encoder):
    texts = [PASSAGE.text, "a second, shorter text"]
    spans = [PASSAGE.spans, [(0, 8)]]
    fast, fast_spans = real_encoder.encode_spans(texts, spans)
    ref, ref_spans = torch_encoder.encode_spans(texts, spans)
    # The passage's own vector is what `encode` gives it, on either backend.
    assert np.sum(fast * real_encoder.encode(texts), axis=1).min() > 0.9999
    assert np.sum(fast * ref, axis=1).min() > 0.999
    for mine, theirs, wanted in zip(fast_spans, ref_spans, spans, strict=True):
        assert mine.shape == theirs.shape == (len(wanted), 384)
        assert np.allclose(np.linalg.norm(mine, axis=1), 1, atol=1e-5)
        assert np.sum(mine * theirs, axis=1).min() > 0.999


@pytest.mark.slow
def test_a_sentence_read_in_its_passage_carries_its_context(torch_encoder):
    """ "it said" is about the sheriff's count only in its passage: read there, it is nearer a
    question about carjackings than the same words embedded alone."""
    _, [in_passage] = torch_encoder.encode_spans([PASSAGE.text], [PASSAGE.spans])
    alone = torch_encoder.encode([PASSAGE.text[s:e] for s, e in PASSAGE.spans])
    question = torch_encoder.encode(["how many carjackings were there?"])[0]
    assert in_passage[1] @ question > alone[1] @ question + 0.1


@pytest.mark.slow
def test_the_export_says_whether_the_model_is_mean_pooled():
    folder = openvino_export.ensure_export(bundled_model_dir(), int8=False)
    assert json.loads((folder / "export.json").read_text())["mean_pooled"] is True
