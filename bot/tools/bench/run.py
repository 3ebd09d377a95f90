"""`newsbot bench`: encoder backends and archive sizes, measured in one run on this machine.

Two parts:

1. **Encoder backends**, on real text (SQuAD 2.0 dev paragraphs, when `shared/data` is beside the
   checkout, and the shipped corpus): `newsbot ingest` passages (chunks) per second, raw encoding
   speed, one-question encode time, and quality against torch fp32 (cosine of passage vectors,
   overlap of questions' top-10 sentence neighbours).
2. **Archive sizes** (1k, 10k, 100k, 1M chunks): an archive grows from the real chunks to each
   size with *real-derived* chunks (copies of real articles whose chunk vectors are mixtures of
   real vectors: `normalise(v + 0.5 v' + 0.25 v'' + small noise)`), and at each size: end-to-end
   `ask` p50/p95 (warm, the whole pipeline: encode, FAISS, FTS5, answer composition), FAISS
   search time, recall@10 against exact search, FAISS bytes per chunk, index load time; and the
   same for the baseline, torch fp32 with an exact flat index; and where `ask`'s time goes, stage
   by stage. Sizes above `--e2e-max` (default 1M: all of them) measure the vector part only
   (encode + FAISS), for a quicker run, and the table says so.

Writes a Markdown report and a PNG plot (matplotlib: `pip install -e '.[bench]'`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import platform
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from index import (
    DEFAULT_BACKEND,
    Encoder,
    EncoderBackend,
    Engine,
    EngineParams,
    UserError,
    VectorParams,
    load_encoder,
)
from index.encoders.base import normalise
from index.ingest.corpus import read_corpus
from index.ingest.pipeline import prepare
from index.models import Article
from index.store.records import PreparedArticle, PreparedChunk
from index.store.store import Store
from index.store.vectors import VectorIndex

from ...cli.options import BenchOptions
from ..evaluation.gold import load_squad

BACKENDS = [b.value for b in EncoderBackend]

SIZE_NAMES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFAULT_SQUAD = Path("..") / "shared" / "data" / "squad-v2.0-dev-half.json"
RETRIEVAL_K = 80  # what retrieval asks FAISS for (depth 40, over-fetched twice)

TARGETS = (
    "ingest >= 3x torch fp32; question encode <= 2 ms; ask p50 <= 10 ms at 100k and <= 20 ms at "
    "1M chunks; FAISS <= 1 KB per chunk at 1M with recall@10 >= 0.95"
)


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for part in text.lower().replace(" ", "").split(","):
        if not part:
            continue
        if part in SIZE_NAMES:
            sizes.append(SIZE_NAMES[part])
        elif re.fullmatch(r"\d+[km]?", part):
            scale = {"k": 1_000, "m": 1_000_000}.get(part[-1], 1)
            sizes.append(int(part.rstrip("km")) * scale)
        else:
            raise ValueError(f"not a size: {part!r} (use e.g. 1k,10k,100k,1m)")
    return sorted(set(sizes))


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return f"{n:,}"


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if len(values) else float("nan")


def _timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def _rounded(vectors: np.ndarray) -> np.ndarray:
    """What the store feeds FAISS: vectors rounded through float16."""
    return np.asarray(vectors, dtype=np.float16).astype(np.float32)


# ---- real text -------------------------------------------------------------------------------


@dataclass
class Texts:
    articles: list[Article]
    passages: list[str]  # for raw encoding speed: title + paragraph, ~150-250 word pieces
    sentences: list[str]
    questions: list[str]
    source: str


def load_texts(squad: Path | None, corpus: Path) -> Texts:
    articles: list[Article] = list(read_corpus(corpus).articles) if corpus.exists() else []
    questions: list[str] = []
    source = f"{len(articles)} articles of {corpus}/"
    if squad is not None and squad.exists():
        raw, gold = load_squad(squad)
        for n, a in enumerate(raw):
            articles.append(
                Article(
                    article_id=a["url"],
                    title=a["title"],
                    text=a["text"],
                    url=a["url"],
                    source=f"{squad}:{n + 1}",
                )
            )
        questions = [q.question for q in gold if q.answerable]
        source = f"{len(raw)} SQuAD 2.0 dev paragraphs ({squad.name}) and " + source
    if not questions:
        questions = [
            "how many carjackings in 2021?",
            "where did the shooting happen?",
            "who investigates police shootings?",
            "when was the officer ambushed?",
        ] * 25
    sentences = [s for a in articles for s in re.split(r"(?<=[.!?])\s+", a.text) if len(s) > 30]
    passages = [f"{a.title}. {a.text}" for a in articles if len(a.text) > 400]
    # Spread the questions over the whole set (they come grouped by paragraph).
    questions = questions[:: max(1, len(questions) // 400)]
    return Texts(articles, passages, sentences, questions, source)


# ---- part 1: encoder backends ------------------------------------------------------------------


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


def _runs_as(encoder: Encoder) -> str:
    return encoder.describe()


def _top10(archive: np.ndarray, queries: np.ndarray) -> np.ndarray:
    return np.argsort(-(queries @ archive.T), axis=1, kind="stable")[:, :10]


def bench_backend(
    backend: str,
    texts: Texts,
    work: Path,
    *,
    ingest_articles: int,
    passages: int,
    questions: int,
    sentences: int,
    reference: dict | None,
    log: Callable[[str], None],
) -> tuple[BackendResult, Encoder, dict]:
    start = time.perf_counter()
    encoder = load_encoder(backend=backend)
    load_s = time.perf_counter() - start
    log(f"  {backend}: loaded in {load_s:.1f} s ({_runs_as(encoder)})")

    # Ingest: the real `newsbot ingest` path (read, split, tag periods, encode, SQLite, FAISS).
    corpus = work / f"ingest-{backend}.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"title": a.title, "url": a.url or a.article_id, "text": a.text})
            for a in texts.articles[:ingest_articles]
        ),
        encoding="utf-8",
    )
    encoder.encode(texts.passages[:4])  # warm
    engine = Engine.open(work / f"ingest-{backend}", encoder, create=True)
    try:
        start = time.perf_counter()
        engine.ingest([corpus])
        ingest_s = time.perf_counter() - start
        chunks = engine.stats().chunks
    finally:
        engine.close()
    shutil.rmtree(work / f"ingest-{backend}", ignore_errors=True)

    sample = texts.passages[:passages]
    start = time.perf_counter()
    passage_vectors = encoder.encode(sample)
    encode_s = time.perf_counter() - start
    qs = texts.questions[:questions]
    for q in qs[:5]:
        encoder.encode([q])
    question_times = [t for q in qs for t in _timed(lambda: encoder.encode([q]), 1)]
    sentence_vectors = encoder.encode(texts.sentences[:sentences])
    question_vectors = encoder.encode(qs)
    vectors = {"passages": passage_vectors, "sentences": sentence_vectors, "questions": question_vectors}
    if reference is None:
        cos_mean = cos_min = overlap = 1.0
    else:
        cos = np.sum(passage_vectors * reference["passages"], axis=1)
        cos_mean, cos_min = float(cos.mean()), float(cos.min())
        ours = _top10(sentence_vectors, question_vectors)
        theirs = _top10(reference["sentences"], reference["questions"])
        overlap = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ours, theirs, strict=False)]))
    result = BackendResult(
        backend=backend,
        runs_as=_runs_as(encoder),
        load_s=load_s,
        ingest_chunks=chunks,
        ingest_passages_s=chunks / ingest_s,
        encode_passages_s=len(sample) / encode_s,
        question_ms=1000 * _pct(question_times, 50),
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


# ---- part 2: archive sizes ---------------------------------------------------------------------


@dataclass
class SizeResult:
    target: int
    chunks: int
    real_chunks: int
    end_to_end: bool
    kind: str
    build_s: float
    ask_p50: float | None
    ask_p95: float | None
    search_ms: float
    recall10: float
    bytes_per_chunk: float
    load_ms: float
    base_ask_p50: float | None
    base_ask_p95: float | None
    base_search_ms: float
    base_bytes_per_chunk: float
    base_load_ms: float
    question_ms: float
    base_question_ms: float
    ef_search: int | None = None
    ef_sweep: dict[int, tuple[float, float]] = field(default_factory=dict)  # ef -> (recall, ms)
    stages: dict[str, float] = field(default_factory=dict)  # p50 ms of each stage of ask


def _ef_sweep(index: VectorIndex, ids, matrix, queries) -> dict[int, tuple[float, float]]:
    """Recall@10 and search time of an HNSW index at several search breadths (bench only)."""
    if index.kind != "hnsw":
        return {}
    return {ef: _recall_and_search(index, ids, matrix, queries, ef=ef) for ef in (64, 128, 256, 512, 1024)}


class Deriver:
    """Real-derived chunk vectors: each a mixture of its real chunk's vector and two others."""

    def __init__(self, pool: np.ndarray, seed: int = 0):
        self.pool = pool
        self.rng = np.random.default_rng(seed)

    def __call__(self, parents: np.ndarray) -> np.ndarray:
        n, dim = parents.shape
        j = self.rng.integers(0, len(self.pool), n)
        k = self.rng.integers(0, len(self.pool), n)
        noise = self.rng.standard_normal((n, dim), dtype=np.float32) * (0.05 / np.sqrt(dim))
        return normalise(parents + 0.5 * self.pool[j] + 0.25 * self.pool[k] + noise)


def _copy_article(prepared: PreparedArticle, copy: int, vectors: np.ndarray) -> PreparedArticle:
    a = prepared.article
    article = a.model_copy(
        update={
            "article_id": f"{a.article_id}#copy-{copy}",
            "url": f"{a.url or a.article_id}#copy-{copy}",
            "source": f"bench:copy-{copy}",
        }
    )
    chunks = [
        PreparedChunk(c.position, c.first_sentence, c.last_sentence, c.start, c.end, c.text, v)
        for c, v in zip(prepared.chunks, vectors, strict=False)
    ]
    return PreparedArticle(article, prepared.content_hash, prepared.source_file, prepared.sentences, chunks)


def _latest_faiss(directory: Path) -> Path | None:
    files = sorted(directory.glob("vectors-*.faiss"))
    return files[-1] if files else None


def _load_ms(path: Path, params: VectorParams, repeat: int = 3) -> float:
    dimension = _dimension_of(path)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        index = VectorIndex.load(path, dimension, params)
        index.search(np.ones(index.dimension, np.float32) / np.sqrt(index.dimension), 10)
        times.append(time.perf_counter() - start)
        del index
        gc.collect()
    return 1000 * float(np.median(times))


def _dimension_of(path: Path) -> int:
    import faiss

    return int(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC).d)


def _recall_and_search(
    index: VectorIndex, ids: np.ndarray, matrix: np.ndarray, queries: np.ndarray, ef: int | None = None
) -> tuple[float, float]:
    exact = ids[np.argsort(-(queries @ matrix.T), axis=1, kind="stable")[:, :10]]
    found, times = [], []
    for q, truth in zip(queries, exact, strict=False):
        start = time.perf_counter()
        hits = index.search(q, RETRIEVAL_K, ef=ef)
        times.append(time.perf_counter() - start)
        found.append(len({i for i, _ in hits[:10]} & set(truth.tolist())) / 10)
    return float(np.mean(found)), 1000 * _pct(times, 50)


STAGES = ("encode", "retrieve", "read", "compose")


def _into_page_cache(directory: Path) -> None:
    """Read the archive's files once, as a bot that has served a while has them in the OS page
    cache: otherwise the first questions are timed on the disk, not on newsbot."""
    for path in directory.iterdir():
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 23):
                    pass


def _ask_times(
    engine: Engine, questions: Sequence[str], warm_up: Sequence[str]
) -> tuple[list[float], dict[str, float]]:
    """Seconds per question, and the median milliseconds of each stage of `Engine.ask`."""
    for q in warm_up:  # the process's caches; the timed questions are others
        engine.ask(q)
    out = []
    laps: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for q in questions:
        last = start = time.perf_counter()

        def lap(stage: str) -> None:
            nonlocal last
            now = time.perf_counter()
            if stage in laps:
                laps[stage].append(now - last)
            last = now

        engine.ask(q, lap=lap)
        out.append(time.perf_counter() - start)
    return out, {stage: 1000 * _pct(values, 50) for stage, values in laps.items()}


def bench_sizes(
    sizes: Sequence[int],
    texts: Texts,
    fast: Encoder,
    baseline: Encoder,
    work: Path,
    *,
    questions: int,
    e2e_max: int,
    log: Callable[[str], None],
    params: EngineParams,
) -> tuple[list[SizeResult], int]:
    qs = texts.questions[:questions]
    warm_up = texts.questions[questions : questions + 5] or qs[:3]
    fast_q, base_q = fast.encode(qs), baseline.encode(qs)
    fast_question_ms = 1000 * _pct([t for q in qs for t in _timed(lambda: fast.encode([q]), 1)], 50)
    base_question_ms = 1000 * _pct([t for q in qs for t in _timed(lambda: baseline.encode([q]), 1)], 50)

    log(f"  preparing the real articles with {fast.name} ...")
    base: list[PreparedArticle] = []
    batch = params.ingest.batch_articles
    for start in range(0, len(texts.articles), batch):
        base += prepare(texts.articles[start : start + batch], fast, params.ingest)
    base = [p for p in base if p.chunks]
    real_vectors = [np.stack([c.vector for c in p.chunks]) for p in base]
    pool = np.concatenate(real_vectors)
    real_chunks = len(pool)
    derive = Deriver(pool)

    directory = work / "archive"
    store = Store.open(
        directory, fast.name, fast.dimension, create=True, params=params.store, vector_params=params.vectors
    )
    results: list[SizeResult] = []
    copy, cursor, chunks, build_s = 0, 0, 0, 0.0

    def grow(target: int, batch_articles: int) -> None:
        nonlocal copy, cursor, chunks, build_s
        while chunks < target:
            batch: list[PreparedArticle] = []
            while chunks < target and len(batch) < batch_articles:
                original, parents = base[cursor], real_vectors[cursor]
                batch.append(original if copy == 0 else _copy_article(original, copy, derive(parents)))
                chunks += len(original.chunks)
                cursor += 1
                if cursor == len(base):
                    cursor, copy = 0, copy + 1
            start = time.perf_counter()
            store.apply(batch, [])
            build_s += time.perf_counter() - start

    e2e_sizes = [s for s in sizes if s <= e2e_max]
    for size in e2e_sizes:
        grow(size, batch_articles=max(batch, size // 20))
        with store.snapshot():
            ids, matrix = store.chunk_vectors()
            index = store.vectors()
        recall, search_ms = _recall_and_search(index, ids, matrix, fast_q)
        path = _latest_faiss(directory)
        bytes_per_chunk = path.stat().st_size / len(ids)
        load_ms = _load_ms(path, params.vectors)
        _into_page_cache(directory)
        engine = Engine(store, fast, params=params)
        ask, stages = _ask_times(engine, qs, warm_up)

        # The baseline: the same archive, torch fp32 questions, an exact flat index.
        flat = VectorIndex.build(
            fast.dimension, ids, matrix, store.vector_params.model_copy(update={"flat_max": len(ids)})
        )
        flat_path = work / "baseline-flat.faiss"
        flat.save(flat_path)
        base_recall, base_search_ms = _recall_and_search(flat, ids, matrix, base_q)
        reader = Store.open(
            directory,
            fast.name,
            fast.dimension,
            create=False,
            params=params.store,
            vector_params=params.vectors,
        )
        try:
            reader.use_vectors(flat)
            base_ask, _ = _ask_times(Engine(reader, baseline, params=params), qs, warm_up)
        finally:
            reader.close()
        result = SizeResult(
            target=size,
            chunks=len(ids),
            real_chunks=min(real_chunks, len(ids)),
            end_to_end=True,
            kind=index.kind,
            build_s=build_s,
            ask_p50=1000 * _pct(ask, 50),
            ask_p95=1000 * _pct(ask, 95),
            search_ms=search_ms,
            recall10=recall,
            bytes_per_chunk=bytes_per_chunk,
            load_ms=load_ms,
            base_ask_p50=1000 * _pct(base_ask, 50),
            base_ask_p95=1000 * _pct(base_ask, 95),
            base_search_ms=base_search_ms,
            base_bytes_per_chunk=flat_path.stat().st_size / len(ids),
            base_load_ms=_load_ms(flat_path, params.vectors),
            question_ms=fast_question_ms,
            base_question_ms=base_question_ms,
            ef_search=index.params.ef_for(len(ids)) if index.kind == "hnsw" else None,
            ef_sweep=_ef_sweep(index, ids, matrix, fast_q),
            stages=stages,
        )
        del flat, matrix
        flat_path.unlink()
        gc.collect()
        results.append(result)
        log("  " + _size_line(result))
    store.close()
    gc.collect()

    for size in (s for s in sizes if s > e2e_max):
        results.append(
            _bench_vectors_only(
                size,
                pool,
                derive,
                real_chunks,
                fast_q,
                work,
                log,
                fast_question_ms,
                base_question_ms,
                params.vectors,
            )
        )
        log("  " + _size_line(results[-1]))
    return results, real_chunks


def _bench_vectors_only(
    size,
    pool,
    derive,
    real_chunks,
    queries,
    work,
    log,
    fast_question_ms,
    base_question_ms,
    params: VectorParams,
) -> SizeResult:
    """Encode + FAISS at `size` chunks (no SQLite archive): the same vector mixture as above."""
    log(f"  {size_label(size)}: deriving vectors and building the index (vector part only) ...")
    parts, total = [_rounded(pool)], len(pool)
    while total < size:
        n = min(200_000, size - total)
        parts.append(_rounded(derive(pool[np.arange(total, total + n) % len(pool)])))
        total += n
    matrix = np.concatenate(parts)[:size]
    del parts
    ids = np.arange(1, size + 1, dtype=np.int64)
    start = time.perf_counter()
    index = VectorIndex.empty(matrix.shape[1], params)
    for offset in range(0, size, 100_000):  # as ingest would: batch after batch
        index.add(ids[offset : offset + 100_000], matrix[offset : offset + 100_000])
    build_s = time.perf_counter() - start
    recall, search_ms = _recall_and_search(index, ids, matrix, queries)
    sweep = _ef_sweep(index, ids, matrix, queries)
    kind = index.kind
    path = work / "vectors-only.faiss"
    index.save(path)
    del index
    gc.collect()
    flat = VectorIndex.build(matrix.shape[1], ids, matrix, params.model_copy(update={"flat_max": size}))
    _, base_search_ms = _recall_and_search(flat, ids, matrix, queries[:20])
    flat_path = work / "baseline-flat.faiss"
    flat.save(flat_path)
    del flat, matrix
    gc.collect()
    result = SizeResult(
        target=size,
        chunks=size,
        real_chunks=real_chunks,
        end_to_end=False,
        kind=kind,
        ef_search=params.ef_for(size) if kind == "hnsw" else None,
        ef_sweep=sweep,
        build_s=build_s,
        ask_p50=None,
        ask_p95=None,
        search_ms=search_ms,
        recall10=recall,
        bytes_per_chunk=path.stat().st_size / size,
        load_ms=_load_ms(path, params),
        base_ask_p50=None,
        base_ask_p95=None,
        base_search_ms=base_search_ms,
        base_bytes_per_chunk=flat_path.stat().st_size / size,
        base_load_ms=_load_ms(flat_path, params, repeat=1),
        question_ms=fast_question_ms,
        base_question_ms=base_question_ms,
    )
    path.unlink()
    flat_path.unlink()
    return result


def _size_line(r: SizeResult) -> str:
    ask = f"ask p50 {r.ask_p50:.1f} ms p95 {r.ask_p95:.1f} ms" if r.ask_p50 is not None else "ask not run"
    base = f" (baseline {r.base_ask_p50:.1f}/{r.base_ask_p95:.1f})" if r.base_ask_p50 is not None else ""
    return (
        f"{size_label(r.target)} ({r.chunks:,} chunks): {r.kind}, {ask}{base}, search {r.search_ms:.2f} ms "
        f"(flat {r.base_search_ms:.2f}), recall@10 {r.recall10:.3f}, {r.bytes_per_chunk:.0f} B/chunk, "
        f"load {r.load_ms:.0f} ms, built in {r.build_s:.0f} s"
    )


# ---- the report --------------------------------------------------------------------------------


@dataclass
class Report:
    machine: str
    versions: str
    texts: str
    command: str
    started: str
    minutes: float = 0.0
    backends: list[BackendResult] = field(default_factory=list)
    sizes: list[SizeResult] = field(default_factory=list)
    real_chunks: int = 0
    fast_backend: str = DEFAULT_BACKEND


def cpu_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine() -> str:
    """The CPU model, its cores and the vector extensions the backends use."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        flags = Path("/proc/cpuinfo").read_text()
        extras = [f for f in ("avx512_vnni", "avx512_bf16", "amx_bf16") if f in flags]
    except OSError:
        extras = []
    return f"{model}, {cpu_cores()} cores" + (f" ({', '.join(extras)})" if extras else "")


def _versions() -> str:
    import importlib.metadata as md

    names = ["torch", "sentence-transformers", "transformers", "openvino", "nncf", "faiss-cpu"]
    found = []
    for name in names:
        with contextlib.suppress(md.PackageNotFoundError):
            found.append(f"{name} {md.version(name)}")
    return ", ".join(found)


def _ratio(base: float | None, ours: float | None) -> str:
    if not base or not ours:
        return "n/a"
    return f"{base / ours:.1f}x"


def targets(report: Report) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for each target of the issue; met None when not measured."""
    rows: list[tuple[str, str, bool | None]] = []
    by_backend = {b.backend: b for b in report.backends}
    torch, fast = by_backend.get("torch"), by_backend.get(report.fast_backend)
    if torch and fast:
        ratio = fast.ingest_passages_s / torch.ingest_passages_s
        rows.append((f"ingest >= 3x torch fp32 ({report.fast_backend})", f"{ratio:.1f}x", ratio >= 3))
    if fast:
        rows.append(("question encode <= 2 ms", f"{fast.question_ms:.2f} ms", fast.question_ms <= 2))
    by_size = {r.target: r for r in report.sizes}
    for n, limit in ((100_000, 10), (1_000_000, 20)):
        r = by_size.get(n)
        if r is None:
            rows.append((f"ask p50 <= {limit} ms at {size_label(n)}", "not run", None))
        elif r.ask_p50 is None:
            rows.append(
                (
                    f"ask p50 <= {limit} ms at {size_label(n)}",
                    f"not measured end to end (encode + search: {r.question_ms + r.search_ms:.1f} ms)",
                    None,
                )
            )
        else:
            rows.append(
                (f"ask p50 <= {limit} ms at {size_label(n)}", f"{r.ask_p50:.1f} ms", r.ask_p50 <= limit)
            )
    r = by_size.get(1_000_000)
    if r is None:
        rows.append(("FAISS <= 1 KB/chunk and recall@10 >= 0.95 at 1M", "not run", None))
    else:
        rows.append(
            (
                "FAISS <= 1 KB/chunk and recall@10 >= 0.95 at 1M",
                f"{r.bytes_per_chunk:.0f} B/chunk, recall {r.recall10:.3f}",
                r.bytes_per_chunk <= 1024 and r.recall10 >= 0.95,
            )
        )
    return rows


def markdown(report: Report) -> str:
    lines = [
        "# newsbot bench",
        "",
        f"Measured {report.started} in {report.minutes:.0f} minutes on {report.machine}; {report.versions}.",
        f"Command: `{report.command}`.",
        "",
        f"Text: {report.texts}.",
        f"Real chunks (encoded by the model): {report.real_chunks:,}; every chunk beyond them is",
        "*real-derived*: a copy of a real article whose chunk vectors are",
        "`normalise(v + 0.5 v' + 0.25 v'' + noise)` of real chunk vectors (random vectors would give",
        "meaningless recall; these mixtures make near-ties, so recall here is if anything pessimistic).",
        "Questions are SQuAD questions, encoded by the model. Copies repeat their article's words, so",
        "every term is held by as many chunks as there are copies: fewer of a question's terms fit",
        "the full-text budget (`index.retrieval.LEXICAL_POSTINGS`) than in a real archive of that",
        "size, and the full-text side costs what that budget allows, no more.",
        "",
        "## Encoder backends",
        "",
        "`ingest` is `newsbot ingest` end to end (split, periods, encode sentences and chunks, SQLite,",
        "FAISS) in chunks per second; `encode` is the model alone on ~200-token passages;",
        "quality is against torch fp32: cosine of passage vectors, and the overlap of each question's",
        "top-10 sentences.",
        "",
        "| backend | runs as | ingest chunks/s | vs torch fp32 | encode passages/s | question encode p50 (best) | cosine mean (min) | top-10 overlap |",
        "|---|---|---|---|---|---|---|---|",
    ]
    torch = next((b for b in report.backends if b.backend == "torch"), None)
    for b in report.backends:
        ratio = _ratio(b.ingest_passages_s, torch.ingest_passages_s) if torch else "n/a"
        lines.append(
            f"| {b.backend}{' (default)' if b.backend == report.fast_backend else ''} | {b.runs_as} | "
            f"{b.ingest_passages_s:.1f} | {ratio} | {b.encode_passages_s:.1f} | {b.question_ms:.2f} ms ({b.question_best_ms:.2f}) | "
            f"{b.cosine_mean:.5f} ({b.cosine_min:.5f}) | {b.top10_overlap:.3f} |"
        )
    lines += [
        "",
        "## By archive size",
        "",
        f"The default pipeline ({report.fast_backend} encoder, FAISS index by size) against the baseline",
        "(torch fp32 encoder, exact flat index) on the same archive. `ask` is `Engine.ask` end to end",
        "and warm (encode, FAISS, FTS5, answer): timed after five other questions, with the archive's",
        "files read once before (in the OS page cache, as for a bot that has served a while; with a",
        "cold cache each question also waits on the disk). `search` is one FAISS query for the",
        f"{RETRIEVAL_K} nearest chunks, as retrieval asks; recall@10 is against exact search; bytes per chunk are the FAISS",
        "file's (SQLite and text excluded); load is opening the index file and answering one query",
        "(files from 64 MB up are memory-mapped, the baseline's too).",
        "",
        "| chunks | index | ask p50 / p95 | baseline ask p50 / p95 | ask speed-up | search p50 | baseline search | recall@10 | bytes/chunk | baseline bytes/chunk | load | baseline load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report.sizes:
        kind = {"flat": "exact (flat)", "hnsw": "HNSW32-SQ8"}[r.kind]
        if r.ask_p50 is not None:
            ask = f"{r.ask_p50:.1f} / {r.ask_p95:.1f} ms"
            base = f"{r.base_ask_p50:.1f} / {r.base_ask_p95:.1f} ms"
            speedup = _ratio(r.base_ask_p50, r.ask_p50)
        else:
            ask = base = "vector part only"
            speedup = (
                _ratio(r.base_question_ms + r.base_search_ms, r.question_ms + r.search_ms)
                + " (encode + search)"
            )
        lines.append(
            f"| {r.chunks:,} | {kind} | {ask} | {base} | {speedup} | {r.search_ms:.2f} ms | "
            f"{r.base_search_ms:.2f} ms | {r.recall10:.3f} | {r.bytes_per_chunk:.0f} | "
            f"{r.base_bytes_per_chunk:.0f} | {r.load_ms:.0f} ms | {r.base_load_ms:.0f} ms |"
        )
    swept = [r for r in report.sizes if r.ef_sweep]
    if swept:
        efs = sorted({ef for r in swept for ef in r.ef_sweep})
        lines += [
            "",
            "HNSW search breadth (efSearch) against recall@10 and search time; the index uses the",
            "starred one at that size (`index.vectors.ef_search`):",
            "",
            "| chunks | " + " | ".join(f"ef {ef}" for ef in efs) + " |",
            "|---|" + "---|" * len(efs),
        ]
        for r in swept:
            cells = [
                f"{r.ef_sweep[ef][0]:.3f}, {r.ef_sweep[ef][1]:.2f} ms" + (" *" if ef == r.ef_search else "")
                if ef in r.ef_sweep
                else ""
                for ef in efs
            ]
            lines.append(f"| {r.chunks:,} | " + " | ".join(cells) + " |")
    staged = [r for r in report.sizes if r.stages]
    if staged:
        lines += [
            "",
            "Where an answer's time goes (p50 of each stage of `Engine.ask`, default pipeline): encode",
            "the question; retrieve (FAISS, the visibility filter, the term counts and FTS5 over the",
            "question's rarest terms); read the retrieved chunks' sentences, sources and IDF weights",
            "from SQLite; compose (score, check figures and periods, cite).",
            "",
            "| chunks | " + " | ".join(STAGES) + " | ask p50 |",
            "|---|" + "---|" * (len(STAGES) + 1),
        ]
        for r in staged:
            cells = " | ".join(f"{r.stages.get(stage, float('nan')):.2f} ms" for stage in STAGES)
            lines.append(f"| {r.chunks:,} | {cells} | {r.ask_p50:.1f} ms |")
    lines += ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in targets(report):
        lines.append(
            f"| {target} | {measured} | {'yes' if met else 'no' if met is False else 'not measured'} |"
        )
    lines += ["", "![latency and memory by archive size](bench.png)", ""]
    return "\n".join(lines)


def plot(report: Report, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sizes = report.sizes
    xs = [r.chunks for r in sizes]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    e2e = [r for r in sizes if r.ask_p50 is not None]
    if e2e:
        left.plot([r.chunks for r in e2e], [r.ask_p50 for r in e2e], "o-", label="ask p50 (default)")
        left.plot(
            [r.chunks for r in e2e], [r.base_ask_p50 for r in e2e], "s--", label="ask p50 (torch fp32 + flat)"
        )
    left.plot(xs, [r.question_ms + r.search_ms for r in sizes], "o-", label="encode + search (default)")
    left.plot(
        xs, [r.base_question_ms + r.base_search_ms for r in sizes], "s--", label="encode + search (baseline)"
    )
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("chunks in the archive")
    left.set_ylabel("milliseconds")
    left.set_title("Question latency (warm, 2 cores)")
    left.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    right.plot(xs, [r.bytes_per_chunk for r in sizes], "o-", label="FAISS by size (default)")
    right.plot(xs, [r.base_bytes_per_chunk for r in sizes], "s--", label="flat float32 (baseline)")
    right.axhline(1024, color="grey", linestyle=":", label="1 KB target")
    right.set_xscale("log")
    right.set_ylim(0, max(r.base_bytes_per_chunk for r in sizes) * 1.15)
    right.set_xlabel("chunks in the archive")
    right.set_ylabel("bytes per chunk")
    right.set_title("FAISS memory per chunk")
    right.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def report_from_json(data: dict) -> Report:
    """A saved bench.json back as a Report (to re-render bench.md and bench.png)."""
    data = dict(data)
    data["backends"] = [BackendResult(**b) for b in data.get("backends", [])]
    sizes = []
    for r in data.get("sizes", []):
        r = dict(r)
        r["ef_sweep"] = {int(k): tuple(v) for k, v in (r.get("ef_sweep") or {}).items()}
        sizes.append(SizeResult(**r))
    data["sizes"] = sizes
    return Report(**data)


# ---- the command -------------------------------------------------------------------------------


def run_bench(args: BenchOptions, params: EngineParams) -> int:
    quick = args.quick
    sizes = parse_sizes(args.sizes or ("1k,10k" if quick else "1k,10k,100k,1m"))
    chosen = [b.strip() for b in (args.backends or "").split(",") if b.strip()]
    backends = chosen or (["torch", DEFAULT_BACKEND] if quick else list(BACKENDS))
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        raise UserError(
            f"Unknown backend(s) {', '.join(sorted(unknown))}: choose from {', '.join(BACKENDS)}."
        )
    backends = ["torch"] + [b for b in backends if b != "torch"]  # the baseline first
    fast_backend = DEFAULT_BACKEND if DEFAULT_BACKEND in backends else backends[-1]
    squad = args.squad if args.squad is not None else DEFAULT_SQUAD
    texts = load_texts(squad if squad.exists() else None, args.corpus)
    if not texts.articles:
        raise UserError("No text to benchmark: give --squad FILE or run from the repository (corpus/).")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(message, flush=True)

    started = time.perf_counter()
    report = Report(
        machine=machine(),
        versions=_versions(),
        texts=texts.source,
        command=args.command_line(),
        started=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        fast_backend=fast_backend,
    )
    if args.work_dir:
        Path(args.work_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="newsbot-bench-", dir=args.work_dir))
    try:
        log(f"newsbot bench: {report.machine}; text: {texts.source}")
        log("encoder backends:")
        reference = None
        encoders: dict[str, Encoder] = {}
        for backend in backends:
            result, encoder, vectors = bench_backend(
                backend,
                texts,
                work,
                ingest_articles=40 if quick else 150,
                passages=48 if quick else 128,
                questions=30 if quick else 100,
                sentences=400 if quick else 1500,
                reference=reference,
                log=log,
            )
            report.backends.append(result)
            if backend == "torch":
                reference = vectors
            if backend in ("torch", fast_backend):
                encoders[backend] = encoder
            else:
                del encoder
                gc.collect()
        log("archive sizes:")
        report.sizes, report.real_chunks = bench_sizes(
            sizes,
            texts,
            encoders[fast_backend],
            encoders["torch"],
            work,
            questions=args.questions or (30 if quick else 100),
            e2e_max=max(parse_sizes(args.e2e_max)) if args.e2e_max else 1_000_000,
            log=log,
            params=params,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.minutes = (time.perf_counter() - started) / 60
    (out / "bench.md").write_text(markdown(report), encoding="utf-8")
    (out / "bench.json").write_text(json.dumps(asdict(report), indent=2), encoding="utf-8")
    drew = plot(report, out / "bench.png")
    log(
        f"wrote {out / 'bench.md'}"
        + (f" and {out / 'bench.png'}" if drew else " (no plot: pip install -e '.[bench]')")
    )
    for target, measured, met in targets(report):
        log(f"  {'met' if met else 'MISSED' if met is False else 'n/a'}: {target}: {measured}")
    return 0
