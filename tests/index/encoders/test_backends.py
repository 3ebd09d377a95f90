"""Encoder backends: the same model, exported once into a cache, as good as torch fp32 on real text.

The slow tests compare the configured fast backend (the session's `real_encoder`, OpenVINO by
default) with torch fp32 on SQuAD sentences and questions: text nobody here wrote.
"""

from __future__ import annotations

import os
import shutil
import time

import numpy as np
import pytest

import index.encoders.factory as factory
import index.encoders.openvino_encoder as openvino_encoder
import index.encoders.openvino_export as openvino_export
from index.encoders.factory import EncoderBackend, bundled_model_dir, load_encoder
from index.encoders.openvino_encoder import STATIC_MAX_TOKENS, OpenVINOEncoder
from index.errors import UserError
from tests.fixtures.paths import SQUAD_FILE


def test_an_unknown_backend_is_refused_with_the_choices():
    with pytest.raises(UserError) as caught:
        load_encoder(backend="tensorflow")
    assert all(backend.value in str(caught.value) for backend in EncoderBackend)


def test_the_settings_offer_exactly_the_backends():
    from bot.settings import Settings

    field = Settings.model_fields["encoder_backend"]
    assert field.annotation is EncoderBackend
    assert field.default is factory.DEFAULT_BACKEND


def test_the_calibration_text_is_local_news_prose():
    texts = openvino_export.calibration_texts()
    assert len(texts) >= 100
    assert not any(t.startswith("#") for t in texts)


def test_a_failed_export_leaves_no_half_written_cache(tmp_path, monkeypatch):
    def broken(model_dir, target, int8):
        (target / "model.xml").write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(openvino_export, "_export_openvino", broken)
    with pytest.raises(RuntimeError):
        openvino_export.ensure_export(bundled_model_dir(), int8=False, root=tmp_path)
    assert not [p for p in (tmp_path / "openvino").rglob("*") if p.is_file()], (
        "nothing but the model's remembered digest"
    )


def test_an_existing_export_is_reused_not_redone(tmp_path, monkeypatch):
    target = openvino_export.export_dir(bundled_model_dir(), int8=False, root=tmp_path)
    target.mkdir(parents=True)
    (target / "export.json").write_text("{}")
    monkeypatch.setattr(openvino_export, "_export_openvino", lambda *a, **k: pytest.fail("exported again"))
    assert openvino_export.ensure_export(bundled_model_dir(), int8=False, root=tmp_path) == target


def test_the_export_folder_changes_with_the_model_files(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    before = openvino_export.export_dir(model, int8=False, root=tmp_path)
    (model / "config.json").write_text('{"changed": true}')
    assert openvino_export.export_dir(model, int8=False, root=tmp_path) != before
    assert openvino_export.export_dir(model, int8=True, root=tmp_path) != before


def test_a_reinstall_of_the_same_model_uses_the_same_export(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "weights.bin").write_bytes(b"\x01" * 1000)
    before = openvino_export.export_dir(model, int8=False, root=tmp_path / "cache")
    shutil.copytree(model, tmp_path / "reinstalled")  # new files, new times, the same bytes
    os.utime(tmp_path / "reinstalled" / "weights.bin", (1, 1))
    assert openvino_export.export_dir(tmp_path / "reinstalled", int8=False, root=tmp_path / "cache") == before


def fake_export(model_dir, target, int8):
    (target / "export.json").write_text("{}")


def test_making_an_export_says_so_in_a_plain_line_and_removes_stale_ones(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(openvino_export, "_export_openvino", fake_export)
    root = tmp_path / "cache"
    target = openvino_export.export_dir(bundled_model_dir(), int8=False, root=root)
    folders = target.parent
    older_runtime = folders / f"{target.name.split('-')[0]}-ov2020.1.0-v1"
    long_unused = folders / f"0123456789abcdef-{target.name.split('-', 1)[1]}"
    in_use = folders / f"fedcba9876543210-{target.name.split('-', 1)[1]}"
    for folder in (older_runtime, long_unused, in_use):
        folder.mkdir(parents=True)
        (folder / "export.json").write_text("{}")
    month_and_more = time.time() - 31 * 86400
    os.utime(long_unused / "export.json", (month_and_more, month_and_more))

    assert openvino_export.ensure_export(bundled_model_dir(), int8=False, root=root) == target
    err = capsys.readouterr().err
    assert err.startswith("Preparing the embedding model (") and "for this CPU, once: ~40 s (" in err
    assert err.count("\n") == 1 and "WARNING" not in err
    assert sorted(p.name for p in folders.iterdir()) == sorted([target.name, in_use.name])


class StubTorchEncoder:
    def __init__(self, model_dir, name=None, dtype=None):
        self.model_dir, self.name, self.dtype = model_dir, name, dtype


def test_a_backend_that_cannot_load_falls_back_to_torch(monkeypatch, caplog):
    def missing(*args, **kwargs):
        raise ImportError("no openvino here", name="openvino")

    monkeypatch.setattr(openvino_export, "ensure_export", missing)
    monkeypatch.setattr(factory, "SentenceTransformerEncoder", StubTorchEncoder)
    for backend in ("openvino", "openvino-int8"):
        encoder = load_encoder(backend=backend)
        assert isinstance(encoder, StubTorchEncoder) and encoder.dtype is None
        assert encoder.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert "openvino" in caplog.text


def test_only_int8_vectors_carry_another_model_name(monkeypatch, tmp_path):
    """An archive built with int8 vectors cannot be searched with bf16 or fp32 ones by mistake."""
    monkeypatch.setattr(
        openvino_export,
        "ensure_export",
        lambda model_dir, int8, root=None: tmp_path / ("openvino-int8" if int8 else "openvino"),
    )
    monkeypatch.setattr(openvino_encoder, "OpenVINOEncoder", lambda folder, name: (folder.name, name))
    monkeypatch.setattr(factory, "SentenceTransformerEncoder", StubTorchEncoder)
    plain = "sentence-transformers/all-MiniLM-L6-v2"
    assert load_encoder(backend="openvino") == ("openvino", plain)
    assert load_encoder(backend="openvino-int8") == ("openvino-int8", plain + "+int8")
    assert load_encoder(backend="torch-bf16").name == load_encoder(backend="torch").name == plain


def test_torch_bf16_is_torch_in_bfloat16(monkeypatch):
    monkeypatch.setattr(factory, "SentenceTransformerEncoder", StubTorchEncoder)
    assert load_encoder(backend="torch-bf16").dtype == "bfloat16"
    assert load_encoder(backend="torch").dtype is None


# ---- quality on real text --------------------------------------------------------------------


@pytest.fixture(scope="module")
def squad_sample(squad_text):
    """800 sentences, 120 questions and 16 passages of about 200 word pieces of SQuAD text."""
    sentences, questions = squad_text
    passages = [" ".join(sentences[i : i + 8]) for i in range(0, 128, 8)]
    return sentences[:800], questions[::30][:120], passages


@pytest.fixture(scope="module")
def torch_reference(squad_sample):
    """torch fp32 vectors of the same texts: the reference every backend is held to."""
    sentences, questions, passages = squad_sample
    reference = load_encoder(backend="torch")
    return reference, reference.encode(sentences), reference.encode(questions), reference.encode(passages)


def top10(archive: np.ndarray, queries: np.ndarray) -> np.ndarray:
    return np.argsort(-(queries @ archive.T), axis=1, kind="stable")[:, :10]


@pytest.mark.slow
def test_the_default_backend_is_the_fast_one(real_encoder):
    assert isinstance(real_encoder, OpenVINOEncoder)
    assert real_encoder.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert real_encoder.dimension == 384


@pytest.mark.slow
def test_fast_backend_top10_neighbours_agree_with_torch_fp32(real_encoder, squad_sample, torch_reference):
    sentences, questions, passages = squad_sample
    _, ref_sentences, ref_questions, ref_passages = torch_reference
    fast_sentences, fast_questions = real_encoder.encode(sentences), real_encoder.encode(questions)
    overlap = [
        len(set(a) & set(b)) / 10
        for a, b in zip(
            top10(fast_sentences, fast_questions), top10(ref_sentences, ref_questions), strict=False
        )
    ]
    assert np.mean(overlap) >= 0.95
    # Mixed: questions encoded by one backend against an archive encoded by the other.
    mixed = [
        len(set(a) & set(b)) / 10
        for a, b in zip(
            top10(ref_sentences, fast_questions), top10(ref_sentences, ref_questions), strict=False
        )
    ]
    assert np.mean(mixed) >= 0.95
    cosines = np.sum(real_encoder.encode(passages) * ref_passages, axis=1)
    assert cosines.min() > 0.999


@pytest.mark.slow
def test_fast_backend_counts_tokens_like_the_model(real_encoder, torch_reference, squad_sample):
    reference = torch_reference[0]
    for text in [*squad_sample[2][:5], "", "2,098 carjackings in 2021"]:
        assert real_encoder.count_tokens(text) == reference.count_tokens(text)


@pytest.mark.slow
def test_fast_backend_encodes_any_batch_in_order(real_encoder):
    texts = ["short", "a much longer sentence about the city council budget vote", "", "mid length text"]
    together = real_encoder.encode(texts)
    alone = np.stack([real_encoder.encode([t])[0] for t in texts])
    assert together.shape == (4, 384) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)
    assert np.allclose(together, alone, atol=2e-3)
    assert real_encoder.encode([]).shape == (0, 384)


# ---- single texts on static-shape models ------------------------------------------------------


def _words(n: int) -> str:
    return " ".join(("the council voted on the school budget after a long debate".split() * 40)[:n])


# Empty-ish, the two buckets compiled at load, one compiled on first use (42 tokens), and two past
# the largest static bucket (the second past the model's 256-token truncation). A word is a token.
SINGLE_TEXTS = ["", "   ", "why?", _words(10), _words(25), _words(40), _words(90), _words(400)]


@pytest.fixture
def fresh_openvino(real_encoder):
    """An OpenVINO encoder of the bundled model with no bucket compiled on first use yet."""
    if not isinstance(real_encoder, OpenVINOEncoder):
        pytest.skip("OpenVINO is not the configured backend here")
    return OpenVINOEncoder(openvino_export.ensure_export(bundled_model_dir(), int8=False), "fresh")


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.slow
def test_single_texts_tokenize_as_the_batch_call_does(real_encoder, squad_sample):
    if not isinstance(real_encoder, OpenVINOEncoder):
        pytest.skip("OpenVINO is not the configured backend here")
    texts = SINGLE_TEXTS + squad_sample[1][:40] + squad_sample[2][:4] + ["naïve café — “quoted” 日本語 🙂"]
    for text in texts:
        batch = real_encoder._tokenizer(
            [text], padding=True, truncation=True, max_length=real_encoder._max_length, return_tensors="np"
        )
        single = real_encoder._single_tokenizer.encode(text)
        assert batch["input_ids"][0].tolist() == single.ids, text
        assert batch["attention_mask"][0].tolist() == single.attention_mask, text
        if "token_type_ids" in batch:
            assert batch["token_type_ids"][0].tolist() == single.type_ids, text


@pytest.mark.slow
def test_a_single_text_on_a_static_shape_equals_the_batch_path(real_encoder):
    if not isinstance(real_encoder, OpenVINOEncoder):
        pytest.skip("OpenVINO is not the configured backend here")
    lengths = [len(real_encoder._single_tokenizer.encode(t).ids) for t in SINGLE_TEXTS]
    assert min(lengths) <= 16 and max(lengths) > STATIC_MAX_TOKENS  # the cases meant
    alone = np.concatenate([real_encoder.encode([t]) for t in SINGLE_TEXTS])
    # Two texts or more take the dynamic-shape batch path; the extra text is dropped.
    batched = np.stack([real_encoder.encode([t, "a second text"])[0] for t in SINGLE_TEXTS])
    assert alone.shape == (len(SINGLE_TEXTS), 384) and alone.dtype == np.float32
    assert np.allclose(np.linalg.norm(alone, axis=1), 1, atol=1e-5)
    assert cosines(alone, batched).min() >= 0.99999
    assert cosines(alone, real_encoder.encode(SINGLE_TEXTS)).min() >= 0.99999
    # The static-shape models were used: the buckets of load, and 48 compiled on first use.
    assert {16, 32, 48} <= {tokens for tokens, model in real_encoder._static.items() if model is not None}
    assert max(real_encoder._static) <= STATIC_MAX_TOKENS


@pytest.mark.slow
def test_concurrent_single_encodes_give_the_same_vectors(fresh_openvino):
    import locale
    from concurrent.futures import ThreadPoolExecutor

    texts = [*SINGLE_TEXTS, _words(55), _words(20) + "?"]  # 57 tokens: bucket 64, compiled by racing threads
    before = locale.setlocale(locale.LC_CTYPE)
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda k: [fresh_openvino.encode([t]) for t in texts[k:] + texts[:k]], range(8)))
    assert locale.setlocale(locale.LC_CTYPE) == before  # compiling left the process locale alone
    reference = np.concatenate([fresh_openvino.encode([t]) for t in texts])
    for k, run in enumerate(runs):
        vectors = np.concatenate(run[len(texts) - k :] + run[: len(texts) - k])
        assert np.allclose(vectors, reference, atol=1e-6)
    assert fresh_openvino._static.get(64) is not None  # compiled, not a failed bucket


@pytest.mark.slow
def test_a_bucket_that_cannot_compile_falls_back_to_the_dynamic_model(fresh_openvino, caplog):
    text = _words(40)  # 48 tokens: not compiled at load
    fresh_openvino._model_xml = "/nonexistent/model.xml"
    vector = fresh_openvino.encode([text])
    assert fresh_openvino._static[48] is None and "48 tokens" in caplog.text
    assert cosines(vector, fresh_openvino.encode([text, "other"])[:1])[0] >= 0.99999


@pytest.mark.slow
def test_many_texts_run_on_the_throughput_model_as_few_at_a_time_do(fresh_openvino, squad_sample):
    """An ingest's many batches are in flight on the throughput model's streams at once; each
    text and each of its spans still gets its own vector, in order."""
    passages = squad_sample[2][:8]
    texts = [t for p in passages for t in (p[:900], p[:450], p[:225])]  # all read: under 256 tokens
    spans = [[(0, 40), (41, 120), (len(t) - 30, len(t))] for t in texts]
    assert len(texts) > openvino_encoder.BATCH_SIZE * (openvino_encoder.THROUGHPUT_FROM_BATCHES - 1)
    together, together_spans = fresh_openvino.encode_spans(texts, spans)
    assert fresh_openvino._throughput is not None  # the many-batch path ran
    streams = len(fresh_openvino._throughput_requests())
    assert streams == int(fresh_openvino._throughput.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
    for k in range(0, len(texts), 3):  # three at a time: one batch, on the latency model
        few, few_spans = fresh_openvino.encode_spans(texts[k : k + 3], spans[k : k + 3])
        assert cosines(together[k : k + 3], few).min() >= 0.9999
        for mine, theirs in zip(together_spans[k : k + 3], few_spans, strict=True):
            assert cosines(mine, theirs).min() >= 0.9999


# The fast backend computes in bf16 on CPUs that have it (AMX, AVX-512 BF16) and in f32
# elsewhere, so its answers may differ from torch fp32 where two sentences score nearly alike:
# on a 2-core AMD EPYC without AMX one of the 54 gold questions flipped. What holds on every CPU
# is agreement on a set large enough for one flip not to matter: on 391 SQuAD questions over 60
# paragraphs both backends gave the same first citation or abstention for all 391 (Intel, AMX).
AGREEMENT_MIN = 0.95
MEASURE_TOLERANCE = 2.0  # percentage points: 8 of the 391 questions


@pytest.fixture(scope="module")
def squad_archive(tmp_path_factory):
    """The first 60 SQuAD paragraphs as a JSONL corpus, with their 391 questions."""
    import json

    from bot.tools.evaluation.gold import load_squad

    if not SQUAD_FILE.exists():
        pytest.skip(f"{SQUAD_FILE} is not here")
    articles, questions = load_squad(SQUAD_FILE)
    articles = articles[:60]
    urls = {a["url"] for a in articles}
    corpus = tmp_path_factory.mktemp("squad-corpus") / "squad.jsonl"
    corpus.write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
    return corpus, [q for q in questions if q.sources[0] in urls]


def _answers(directory, encoder, corpus, questions):
    from index.engine import Engine

    engine = Engine.open(directory, encoder, create=True)
    try:
        engine.ingest([corpus])
        return [engine.ask(q.question) for q in questions]
    finally:
        engine.close()


def _picked(answer):
    return None if answer.abstained else answer.citations[0].sentence


@pytest.mark.slow
def test_the_fast_backend_answers_like_torch_fp32_on_hundreds_of_questions(
    real_encoder, torch_reference, squad_archive, tmp_path
):
    from bot.tools.evaluation.grading import Tally, grade

    corpus, questions = squad_archive
    assert len(questions) >= 300  # large enough that one flipped question is under a point
    fast = _answers(tmp_path / "fast", real_encoder, corpus, questions)
    reference = _answers(tmp_path / "torch", torch_reference[0], corpus, questions)
    agreed = sum(_picked(a) == _picked(b) for a, b in zip(fast, reference, strict=True))
    assert agreed >= AGREEMENT_MIN * len(questions), f"{agreed} of {len(questions)} agree"
    rows = []
    for answers in (fast, reference):
        tally = Tally()
        for question, answer in zip(questions, answers, strict=True):
            grade(question, answer, tally)
        rows.append(tally.row("x"))
    for measure in ("answer_accuracy", "citation_correct", "abstention_accuracy", "overall"):
        assert abs(rows[0][measure] - rows[1][measure]) <= MEASURE_TOLERANCE, measure
