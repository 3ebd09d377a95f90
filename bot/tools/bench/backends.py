"""Part 1 of the bench: each encoder backend's ingest and encoding speed, and its quality against
torch fp32 on the same text."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import Encoder, EncoderBackend, Engine, EngineParams, load_encoder
from index.models import Article

from .measure import encode_times, pct
from .texts import Texts


@dataclass
class BackendResult:
    backend: str
    runs_as: str
    load_s: float
    ingest_chunks: int
    ingest_passages_s: float
    encode_passages_s: float
    question_ms: float
    question_best_ms: float
    cosine_mean: float
    cosine_min: float
    top10_overlap: float


@dataclass
class Vectors:
    """One backend's vectors of the sample texts: the reference another backend is held to."""

    passages: np.ndarray
    sentences: np.ndarray
    questions: np.ndarray


def _top10(archive: np.ndarray, queries: np.ndarray) -> np.ndarray:
    return np.argsort(-(queries @ archive.T), axis=1, kind="stable")[:, :10]


def ingest_speed(
    encoder: Encoder, articles: Sequence[Article], work: Path, name: str, params: EngineParams
) -> tuple[int, float]:
    """Chunks stored and seconds taken by the real `newsbot ingest` path (read, split, tag periods,
    encode, SQLite, FAISS) over `articles`."""
    corpus = work / f"ingest-{name}.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"title": a.title, "url": a.url or a.article_id, "text": a.text}) for a in articles
        ),
        encoding="utf-8",
    )
    encoder.encode([a.text[:1000] for a in articles[:4]])  # warm
    directory = work / f"ingest-{name}"
    engine = Engine.open(directory, encoder, create=True, params=params)
    try:
        start = time.perf_counter()
        engine.ingest([corpus])
        seconds = time.perf_counter() - start
        chunks = engine.stats().chunks
    finally:
        engine.close()
    shutil.rmtree(directory, ignore_errors=True)
    return chunks, seconds


def bench_backend(
    backend: EncoderBackend,
    texts: Texts,
    work: Path,
    *,
    ingest_articles: int,
    passages: int,
    questions: int,
    sentences: int,
    reference: Vectors | None,
    log: Callable[[str], None],
    params: EngineParams,
) -> tuple[BackendResult, Encoder, Vectors]:
    """The backend measured, its encoder (loaded once, for the archive sizes) and its vectors of
    the sample (the reference for the next backends when this is torch fp32)."""
    start = time.perf_counter()
    encoder = load_encoder(backend=backend)
    load_s = time.perf_counter() - start
    runs_as = encoder.describe()
    log(f"  {backend}: loaded in {load_s:.1f} s ({runs_as})")

    chunks, ingest_s = ingest_speed(encoder, texts.articles[:ingest_articles], work, backend.value, params)

    sample = texts.passages[:passages]
    start = time.perf_counter()
    passage_vectors = encoder.encode(sample)
    encode_s = time.perf_counter() - start
    qs = texts.questions[:questions]
    for q in qs[:5]:
        encoder.encode([q])
    question_times = encode_times(encoder, qs)
    vectors = Vectors(
        passages=passage_vectors,
        sentences=encoder.encode(texts.sentences[:sentences]),
        questions=encoder.encode(qs),
    )
    if reference is None:
        cos_mean = cos_min = overlap = 1.0
    else:
        cos = np.sum(vectors.passages * reference.passages, axis=1)
        cos_mean, cos_min = float(cos.mean()), float(cos.min())
        ours = _top10(vectors.sentences, vectors.questions)
        theirs = _top10(reference.sentences, reference.questions)
        overlap = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ours, theirs, strict=False)]))
    result = BackendResult(
        backend=backend.value,
        runs_as=runs_as,
        load_s=load_s,
        ingest_chunks=chunks,
        ingest_passages_s=chunks / ingest_s,
        encode_passages_s=len(sample) / encode_s,
        question_ms=1000 * pct(question_times, 50),
        question_best_ms=1000 * min(question_times),
        cosine_mean=cos_mean,
        cosine_min=cos_min,
        top10_overlap=overlap,
    )
    log(
        f"  {backend}: ingest {result.ingest_passages_s:.1f} chunks/s, encode "
        f"{result.encode_passages_s:.1f} passages/s, question {result.question_ms:.2f} ms, "
        f"cosine {cos_mean:.5f} (min {cos_min:.5f}), top-10 overlap {overlap:.3f}"
    )
    return result, encoder, vectors
