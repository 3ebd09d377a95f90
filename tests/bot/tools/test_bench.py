"""`newsbot bench`: what it builds and reports, checked on small archives with the test encoder.

Timings are reported, never asserted: these tests check that the archive sizes, the recall, the
memory figures and the report are right, not how fast anything is.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest

from bot.cli import main
from bot.tools.bench.backends import BackendResult, ingest_speed
from bot.tools.bench.ingest_race import ingest_race
from bot.tools.bench.plot import plot
from bot.tools.bench.remote import RemoteBench, RemoteTarget
from bot.tools.bench.report import Report, markdown, report_from_json, targets
from bot.tools.bench.run import parse_sizes
from bot.tools.bench.sizes import Deriver, SizeResult, bench_sizes
from bot.tools.bench.texts import Texts, load_texts
from bot.tools.evaluation.baseline import CHUNK_CHARS, fixed_pieces
from index import EngineParams, VectorParams
from index.archive.location import RemoteLocation
from index.archive.milvus.archive import MilvusArchive
from index.errors import IndexMissingError
from index.models import Article
from tests.fixtures.encoder import HashingEncoder


def test_sizes_are_read_with_k_and_m():
    assert parse_sizes("1k,10k,100k,1m") == [1_000, 10_000, 100_000, 1_000_000]
    assert parse_sizes("2500, 1k, 1k") == [1_000, 2_500]
    with pytest.raises(ValueError):
        parse_sizes("lots")


def test_derived_vectors_are_unit_length_and_stay_near_their_real_parent():
    rng = np.random.default_rng(0)
    pool = rng.normal(size=(100, 32)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    derived = Deriver(pool)(pool[:50])
    assert np.allclose(np.linalg.norm(derived, axis=1), 1, atol=1e-5)
    nearest = np.argmax(derived @ pool.T, axis=1)
    assert (nearest == np.arange(50)).mean() > 0.9


@pytest.fixture
def small_texts(seed_articles) -> Texts:
    rng = np.random.default_rng(1)
    words = [f"w{n}" for n in range(400)]
    articles = list(seed_articles.values()) + [
        Article(
            article_id=f"https://news.example/{n}",
            url=f"https://news.example/{n}",
            title=f"Story {n}",
            text="\n".join(" ".join(rng.choice(words, 9)) + "." for _ in range(5)),
            source=f"t:{n}",
        )
        for n in range(60)
    ]
    questions = [" ".join(rng.choice(words, 4)) + "?" for _ in range(12)]
    return Texts(articles, [a.text for a in articles], [], questions, "test text")


def test_the_ingest_race_runs_on_articles_at_least_one_naive_piece_long(small_texts, tmp_path, monkeypatch):
    """A brief of a few lines measures what an article costs besides its text: the race takes
    the articles the naive pipeline cuts into 1,000-character pieces (here the two seed ones),
    and both sides of it run on those same articles."""
    long_ones = [a for a in small_texts.articles if len(a.text) >= CHUNK_CHARS]
    assert 0 < len(long_ones) < len(small_texts.articles)
    ingested: list[list[str]] = []

    def recorded(encoder, articles, *args, **kwargs):
        ingested.append([a.article_id for a in articles])
        return ingest_speed(encoder, articles, *args, **kwargs)

    monkeypatch.setattr("bot.tools.bench.ingest_race.ingest_speed", recorded)
    race = ingest_race(HashingEncoder(), HashingEncoder(), small_texts, tmp_path, EngineParams(), articles=40)
    assert ingested == [[a.article_id for a in long_ones]]
    assert race.articles == len(long_ones)
    assert race.naive_pieces == sum(len(fixed_pieces(a)) for a in long_ones)
    assert race.ingest_s > 0 and race.naive_embed_s > 0


def test_archives_grow_to_each_size_with_exact_then_hnsw_search(small_texts, tmp_path):
    encoder = HashingEncoder()
    results, real = bench_sizes(
        [100, 300, 900],
        small_texts,
        encoder,
        encoder,
        tmp_path,
        questions=8,
        e2e_max=300,
        log=lambda message: None,
        params=EngineParams(vectors=VectorParams(flat_max=150)),
    )
    assert real > 60
    assert [r.target for r in results] == [100, 300, 900]
    small, large, vectors_only = results
    assert small.kind == "flat" and small.recall10 >= 0.95 and small.chunks >= 100  # ties aside, exact
    assert large.kind == "hnsw" and large.chunks >= 300 and large.recall10 >= 0.9
    assert large.bytes_per_chunk < large.base_bytes_per_chunk
    assert small.end_to_end and large.end_to_end and small.ask_p50 > 0 and large.base_ask_p95 > 0
    assert set(large.stages) == {"encode", "retrieve", "read", "compose"}
    assert all(ms >= 0 for ms in large.stages.values())
    assert large.timeline_p50 > 0 and large.timeline_p95 >= large.timeline_p50
    assert not vectors_only.end_to_end and vectors_only.ask_p50 is None
    assert vectors_only.timeline_p50 is None
    assert vectors_only.chunks == 900 and vectors_only.kind == "hnsw"
    assert set(vectors_only.ef_sweep) >= {128, 512}
    # The baseline is the exact flat index: float32 vectors and ids.
    assert vectors_only.base_bytes_per_chunk > 4 * 384


def sample_report() -> Report:
    size = {
        "real_chunks": 700,
        "kind": "hnsw",
        "build_s": 1.0,
        "search_ms": 0.5,
        "recall10": 0.97,
        "bytes_per_chunk": 700,
        "load_ms": 20,
        "base_search_ms": 15,
        "base_bytes_per_chunk": 1544,
        "base_load_ms": 100,
        "question_ms": 1.5,
        "base_question_ms": 11,
        "ef_search": 128,
        "ef_sweep": {128: (0.97, 0.5), 256: (0.98, 0.9)},
    }
    return Report(
        machine="test cpu, 2 cores",
        versions="faiss-cpu 1",
        texts="test text",
        command="newsbot bench",
        started="2026-01-01 00:00",
        backends=[
            BackendResult("torch", "torch float32", 10, 100, 20, 20, 11, 10, 1, 1, 1),
            BackendResult("openvino", "OpenVINO bf16", 1, 100, 70, 60, 1.5, 1.2, 0.99998, 0.9999, 1),
        ],
        sizes=[
            SizeResult(
                target=100_000,
                chunks=100_000,
                end_to_end=True,
                ask_p50=8,
                ask_p95=12,
                base_ask_p50=40,
                base_ask_p95=60,
                stages={"encode": 1.5, "retrieve": 2.5, "read": 1.25, "compose": 2.0},
                **size,
            ),
            SizeResult(
                target=1_000_000,
                chunks=1_000_000,
                end_to_end=False,
                ask_p50=None,
                ask_p95=None,
                base_ask_p50=None,
                base_ask_p95=None,
                **size,
            ),
        ],
        real_chunks=700,
    )


def test_targets_say_what_was_met_and_what_was_not_measured():
    rows = {target: (measured, met) for target, measured, met in targets(sample_report())}
    assert rows["ingest >= 3x torch fp32 (openvino)"] == ("3.5x", True)
    assert rows["question encode <= 2 ms"] == ("1.50 ms", True)
    assert rows["ask p50 <= 100 ms at 100k, the cross-encoder included"] == ("8.0 ms", True)
    measured, met = rows["retrieval (encode, retrieve, read; p50 each, summed) <= 20 ms at 1M"]
    assert met is None and "not measured end to end" in measured
    assert rows["FAISS <= 1 KB/chunk and recall@10 >= 0.95 at 1M"][1] is True


def test_the_report_is_a_markdown_table_with_ratios(tmp_path):
    text = markdown(sample_report())
    assert "| openvino (default) | OpenVINO bf16 | 70.0 | 3.5x |" in text
    assert "| 100,000 | HNSW32-SQ8 | 8.0 / 12.0 ms | 40.0 / 60.0 ms | 5.0x |" in text
    assert "vector part only" in text and "0.970, 0.50 ms *" in text
    assert "real-derived" in text and "bench.png" in text
    assert "| 100,000 | 1.50 ms | 2.50 ms | 1.25 ms | 2.00 ms | 8.0 ms |" in text
    saved = json.loads(json.dumps(asdict(sample_report())))
    assert markdown(report_from_json(saved)) == text, "bench.json renders the same report again"
    plot(sample_report(), tmp_path / "bench.png")
    assert (tmp_path / "bench.png").read_bytes()[:4] == b"\x89PNG"


def test_load_texts_reads_the_corpus_without_squad(seed_corpus_dir):
    texts = load_texts(None, seed_corpus_dir)
    assert len(texts.articles) == 2 and texts.questions and texts.sentences


def test_bench_refuses_a_bad_size_in_one_line(capsys):
    assert main(["bench", "--sizes", "lots"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("newsbot:") and "lots" in err and "\n" not in err


@pytest.mark.remote
def test_the_remote_archive_grows_from_the_same_batches_and_is_measured_beside_the_embedded_one(
    small_texts, tmp_path, milvus: RemoteLocation
):
    encoder = HashingEncoder()
    params = EngineParams(vectors=VectorParams(flat_max=150))
    remote = RemoteBench(RemoteTarget(milvus, "", None), encoder.name, encoder.dimension, tmp_path, params)
    prefix = remote.archive.prefix
    lines: list[str] = []
    try:
        results, _ = bench_sizes(
            [200], small_texts, encoder, encoder, tmp_path, questions=6, e2e_max=200,
            log=lines.append, params=params, remote=remote,
        )  # fmt: skip
    finally:
        remote.close()
    (result,) = results
    measured = result.remote
    assert measured is not None and prefix.startswith("bench_")
    assert measured.chunks == result.chunks >= 200, "both archives hold every chunk grown"
    assert 0 <= measured.recall10 <= 1 and 0 <= result.recall10 <= 1
    assert measured.ask_p95 >= measured.ask_p50 > 0 and measured.ingest_chunks_s > 0
    assert result.ingest_chunks_s > 0 and result.archive_bytes_per_chunk > result.bytes_per_chunk
    assert measured.bytes_per_chunk is None and "not measured" in measured.bytes_note
    assert "| remote milvus://127.0.0.1:" in lines[-1] and "bytes not measured" in lines[-1]
    with pytest.raises(IndexMissingError):  # the bench's collections are dropped
        MilvusArchive.connect(
            milvus, token="", prefix=prefix, model=None, dimension=None, create=False, uploads=tmp_path
        )
    report = Report("cpu", "faiss", "test text", "newsbot bench", "2026-01-01 00:00", sizes=results)
    text = markdown(report)
    assert "## The remote archive beside the embedded one" in text
    row = f"| {result.chunks:,} | {result.ask_p50:.1f} / {result.ask_p95:.1f} ms | {measured.ask_p50:.1f}"
    assert row in text
    saved = json.loads(json.dumps(asdict(report)))
    assert saved["sizes"][0]["remote"]["recall10"] == measured.recall10
    assert markdown(report_from_json(saved)) == text


def test_bench_archive_options_are_checked_before_anything_is_measured(capsys, tmp_path):
    assert main(["bench", "--archive-data", str(tmp_path)]) == 2
    assert "--archive URL" in capsys.readouterr().err
    assert main(["bench", "--archive", "http://127.0.0.1:19530"]) == 2
    assert "milvus://" in capsys.readouterr().err
    assert main(["bench", "--archive", "milvus://127.0.0.1:1", "--archive-data", str(tmp_path / "no")]) == 2
    assert "not a folder" in capsys.readouterr().err
