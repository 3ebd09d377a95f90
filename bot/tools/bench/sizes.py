"""Part 2 of the bench: an archive grown to each size with real-derived chunks, measured end to end
(`Engine.ask`, `Engine.timeline`) and in its vector part (FAISS), against the baseline of torch
fp32 questions and exact search over the same chunks."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index import Encoder, Engine, EngineParams, Reranker
from index.encoders.base import normalise
from index.ingest.pipeline import prepare
from index.store.records import PreparedArticle, PreparedChunk
from index.store.store import Store
from index.store.vectors import VectorIndex

from .index_figures import IndexFigures, flat_baseline, measure_index
from .measure import Laps, encode_times, pct
from .texts import Texts

# The stages of `Engine.ask` the report shows ("wait", for the read lock, is left out).
STAGES = ("encode", "retrieve", "read", "compose")


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return f"{n:,}"


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
    figures_p50: float | None = None  # `Engine.figures` of the archive's own counted things
    figures_p95: float | None = None
    timeline_p50: float | None = None  # `Engine.timeline`, ms, the questions as topics
    timeline_p95: float | None = None


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


@dataclass
class Questions:
    """The timed questions, the others that warm up each engine, and both encoders' vectors of
    them and median milliseconds to encode one."""

    texts: Sequence[str]
    warm_up: Sequence[str]
    fast: np.ndarray
    base: np.ndarray
    fast_ms: float
    base_ms: float

    @classmethod
    def encode(cls, texts: Texts, count: int, fast: Encoder, baseline: Encoder) -> Questions:
        qs = texts.questions[:count]
        return cls(
            texts=qs,
            warm_up=texts.questions[count : count + 5] or qs[:3],
            fast=fast.encode(qs),
            base=baseline.encode(qs),
            fast_ms=1000 * pct(encode_times(fast, qs), 50),
            base_ms=1000 * pct(encode_times(baseline, qs), 50),
        )


def _result(
    target: int,
    chunks: int,
    real_chunks: int,
    build_s: float,
    ours: IndexFigures,
    base: IndexFigures,
    questions: Questions,
    *,
    ask: Sequence[float] | None = None,
    base_ask: Sequence[float] | None = None,
    figures: Sequence[float] | None = None,
    stages: dict[str, float] | None = None,
    timeline: Sequence[float] | None = None,
) -> SizeResult:
    def ms(values: Sequence[float] | None, q: float) -> float | None:
        return None if values is None else 1000 * pct(values, q)

    return SizeResult(
        target=target,
        chunks=chunks,
        real_chunks=real_chunks,
        end_to_end=ask is not None,
        kind=ours.kind,
        build_s=build_s,
        ask_p50=ms(ask, 50),
        ask_p95=ms(ask, 95),
        figures_p50=ms(figures, 50),
        figures_p95=ms(figures, 95),
        search_ms=ours.search_ms,
        recall10=ours.recall10,
        bytes_per_chunk=ours.bytes_per_chunk,
        load_ms=ours.load_ms,
        base_ask_p50=ms(base_ask, 50),
        base_ask_p95=ms(base_ask, 95),
        base_search_ms=base.search_ms,
        base_bytes_per_chunk=base.bytes_per_chunk,
        base_load_ms=base.load_ms,
        question_ms=questions.fast_ms,
        base_question_ms=questions.base_ms,
        ef_search=ours.ef_search,
        ef_sweep=ours.ef_sweep,
        stages=stages or {},
        timeline_p50=ms(timeline, 50),
        timeline_p95=ms(timeline, 95),
    )


# ---- end to end: a real archive ----------------------------------------------------------------


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


class Archive:
    """The bench's archive: the real articles, then copies of them with real-derived chunk
    vectors, stored batch after batch as ingest would."""

    def __init__(self, store: Store, real: list[PreparedArticle], parents: list[np.ndarray], derive: Deriver):
        self.store = store
        self.real, self.parents, self.derive = real, parents, derive
        self.copy = self.cursor = self.chunks = 0
        self.build_s = 0.0

    def grow(self, target: int, batch_articles: int) -> None:
        while self.chunks < target:
            batch: list[PreparedArticle] = []
            while self.chunks < target and len(batch) < batch_articles:
                original = self.real[self.cursor]
                if self.copy == 0:
                    batch.append(original)
                else:
                    batch.append(_copy_article(original, self.copy, self.derive(self.parents[self.cursor])))
                self.chunks += len(original.chunks)
                self.cursor += 1
                if self.cursor == len(self.real):
                    self.cursor, self.copy = 0, self.copy + 1
            start = time.perf_counter()
            self.store.apply(batch, [])
            self.build_s += time.perf_counter() - start


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
    seconds = []
    laps: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for q in questions:
        watch = Laps()
        start = time.perf_counter()
        engine.ask(q, lap=watch.lap)
        seconds.append(time.perf_counter() - start)
        for stage, values in laps.items():
            if stage in watch.stages:
                values.append(watch.stages[stage])
    return seconds, {stage: 1000 * pct(values, 50) for stage, values in laps.items()}


def figure_topics(real: Sequence[PreparedArticle], count: int) -> list[str]:
    """The things the real articles' figures count most often: topics `figures` is asked about."""
    things = Counter(f.thing for p in real for s in p.sentences for f in s.figures if f.thing)
    return [thing for thing, _ in things.most_common(count)]


def _call_times(call: Callable[[str], object], topics: Sequence[str], warm_up: Sequence[str]) -> list[float]:
    """Seconds per `call(topic)` (`Engine.figures`, `Engine.timeline`), after the warm-up calls."""
    for topic in warm_up:
        call(topic)
    seconds = []
    for topic in topics:
        start = time.perf_counter()
        call(topic)
        seconds.append(time.perf_counter() - start)
    return seconds


def _end_to_end(
    size: int,
    archive: Archive,
    real_chunks: int,
    fast: Encoder,
    baseline: Encoder,
    questions: Questions,
    work: Path,
    params: EngineParams,
    reranker: Reranker | None,
    topics: Sequence[str],
) -> SizeResult:
    """`Engine.ask` on the archive as it stands (the cross-encoder included), with the default
    pipeline and the baseline; `Engine.figures` of `topics`."""
    store = archive.store
    with store.snapshot():
        ids, matrix = store.chunk_vectors()
        index = store.vectors()
    ours = measure_index(index, ids, matrix, questions.fast, work / "default.faiss", params)
    _into_page_cache(store.directory)
    engine = Engine(store, fast, reranker=reranker, params=params)
    ask, stages = _ask_times(engine, questions.texts, questions.warm_up)
    figures = _call_times(engine.figures, topics, topics[:1])  # the first warms the caches
    timeline = _call_times(engine.timeline, questions.texts, questions.warm_up)

    # The baseline: the same archive, torch fp32 questions, an exact flat index.
    flat = flat_baseline(ids, matrix, params.vectors)
    base = measure_index(flat, ids, matrix, questions.base, work / "baseline-flat.faiss", params)
    reader = Store.open(
        store.directory,
        fast.name,
        fast.dimension,
        create=False,
        params=params.store,
        vector_params=params.vectors,
    )
    try:
        reader.use_vectors(flat)
        base_ask, _ = _ask_times(
            Engine(reader, baseline, reranker=reranker, params=params), questions.texts, questions.warm_up
        )
    finally:
        reader.close()
    del flat, matrix
    gc.collect()
    return _result(
        size,
        len(ids),
        min(real_chunks, len(ids)),
        archive.build_s,
        ours,
        base,
        questions,
        ask=ask,
        base_ask=base_ask,
        stages=stages,
        figures=figures or None,
        timeline=timeline,
    )


# ---- the vector part only: no SQLite archive ---------------------------------------------------


def _rounded(vectors: np.ndarray) -> np.ndarray:
    """What the store feeds FAISS: vectors rounded through float16."""
    return np.asarray(vectors, dtype=np.float16).astype(np.float32)


def _vectors_only(
    size: int,
    pool: np.ndarray,
    derive: Deriver,
    real_chunks: int,
    questions: Questions,
    work: Path,
    params: EngineParams,
) -> SizeResult:
    """Encode + FAISS at `size` chunks (no SQLite archive): the same vector mixture as above."""
    parts, total = [_rounded(pool)], len(pool)
    while total < size:
        n = min(200_000, size - total)
        parts.append(_rounded(derive(pool[np.arange(total, total + n) % len(pool)])))
        total += n
    matrix = np.concatenate(parts)[:size]
    del parts
    ids = np.arange(1, size + 1, dtype=np.int64)
    start = time.perf_counter()
    index = VectorIndex.empty(matrix.shape[1], params.vectors)
    for offset in range(0, size, 100_000):  # as ingest would: batch after batch
        index.add(ids[offset : offset + 100_000], matrix[offset : offset + 100_000])
    build_s = time.perf_counter() - start
    ours = measure_index(index, ids, matrix, questions.fast, work / "vectors-only.faiss", params)
    del index
    gc.collect()
    flat = flat_baseline(ids, matrix, params.vectors)
    # Exact search over this many vectors is slow: 20 questions time it, one load weighs it.
    base = measure_index(
        flat, ids, matrix, questions.fast[:20], work / "baseline-flat.faiss", params, load_repeat=1
    )
    del flat, matrix
    gc.collect()
    return _result(size, size, real_chunks, build_s, ours, base, questions)


# ---- every size --------------------------------------------------------------------------------


def _size_line(r: SizeResult) -> str:
    ask = f"ask p50 {r.ask_p50:.1f} ms p95 {r.ask_p95:.1f} ms" if r.ask_p50 is not None else "ask not run"
    if r.timeline_p50 is not None:
        ask += f", timeline p50 {r.timeline_p50:.1f} ms p95 {r.timeline_p95:.1f} ms"
    base = f" (baseline {r.base_ask_p50:.1f}/{r.base_ask_p95:.1f})" if r.base_ask_p50 is not None else ""
    if r.figures_p50 is not None:
        base += f", figures p50 {r.figures_p50:.1f} ms p95 {r.figures_p95:.1f} ms"
    return (
        f"{size_label(r.target)} ({r.chunks:,} chunks): {r.kind}, {ask}{base}, search {r.search_ms:.2f} ms "
        f"(flat {r.base_search_ms:.2f}), recall@10 {r.recall10:.3f}, {r.bytes_per_chunk:.0f} B/chunk, "
        f"load {r.load_ms:.0f} ms, built in {r.build_s:.0f} s"
    )


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
    reranker: Reranker | None = None,
) -> tuple[list[SizeResult], int]:
    """Each size measured (end to end up to `e2e_max`, the vector part above), and how many of the
    chunks are real (encoded by the model)."""
    asked = Questions.encode(texts, questions, fast, baseline)

    log(f"  preparing the real articles with {fast.name} ...")
    real: list[PreparedArticle] = []
    batch = params.ingest.batch_articles
    for start in range(0, len(texts.articles), batch):
        real += prepare(texts.articles[start : start + batch], fast, params.ingest)
    real = [p for p in real if p.chunks]
    parents = [np.stack([c.vector for c in p.chunks]) for p in real]
    pool = np.concatenate(parents)
    real_chunks = len(pool)
    derive = Deriver(pool)
    topics = figure_topics(real, questions)

    store = Store.open(
        work / "archive",
        fast.name,
        fast.dimension,
        create=True,
        params=params.store,
        vector_params=params.vectors,
    )
    archive = Archive(store, real, parents, derive)
    results: list[SizeResult] = []
    for size in (s for s in sizes if s <= e2e_max):
        archive.grow(size, batch_articles=max(batch, size // 20))
        results.append(
            _end_to_end(size, archive, real_chunks, fast, baseline, asked, work, params, reranker, topics)
        )
        log("  " + _size_line(results[-1]))
    store.close()
    gc.collect()

    for size in (s for s in sizes if s > e2e_max):
        log(f"  {size_label(size)}: deriving vectors and building the index (vector part only) ...")
        results.append(_vectors_only(size, pool, derive, real_chunks, asked, work, params))
        log("  " + _size_line(results[-1]))
    return results, real_chunks
