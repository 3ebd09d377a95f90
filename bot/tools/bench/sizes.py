"""Part 2 of the bench: an archive grown to each size with real-derived chunks, measured end to end
(`Engine.ask`, `Engine.timeline`) and in its vector part (FAISS), against the baseline of torch
fp32 questions and exact search over the same chunks."""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from index import Encoder, Engine, EngineParams, Reranker
from index.archive.protocol import Archive
from index.encoders.base import normalise
from index.ingest.pipeline import prepare
from index.store.records import PreparedArticle, PreparedChunk
from index.store.store import Store
from index.store.vectors import VectorIndex

from .index_figures import IndexFigures, flat_baseline, measure_index
from .measure import Laps, encode_times, folder_bytes, pct
from .remote import RemoteBench, RemoteResult
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
    archive_bytes_per_chunk: float | None = None  # the embedded archive's folder: SQLite, FAISS, all
    remote: RemoteResult | None = None  # `--archive URL`: the same chunks in a Milvus server

    @property
    def ingest_chunks_s(self) -> float:
        """Chunks stored per second of `apply` and `save_files`, over the growth to this size."""
        return self.chunks / self.build_s if self.build_s else float("nan")


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


class Growth:
    """The bench's archives: the real articles, then copies of them with real-derived chunk
    vectors, stored batch after batch as ingest would (`apply`, then `save_files` once at the
    end), the same batches into each archive (the embedded one; the remote one too with
    `--archive`), each archive's writes timed on their own."""

    def __init__(
        self,
        archives: Sequence[Archive],
        real: list[PreparedArticle],
        parents: list[np.ndarray],
        derive: Deriver,
        log: Callable[[str], None],
    ):
        self.archives = list(archives)
        self.log = log
        self.real, self.parents, self.derive = real, parents, derive
        self.copy = self.cursor = self.chunks = 0
        self.build_s = [0.0] * len(self.archives)  # seconds writing, by archive

    def _timed(self, write: Callable[[Archive], None]) -> None:
        for n, archive in enumerate(self.archives):
            start = time.perf_counter()
            write(archive)
            self.build_s[n] += time.perf_counter() - start

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
            self._timed(partial(_apply, batch=batch))
            spent = ", ".join(
                f"{a.location}: {s:.0f} s" for a, s in zip(self.archives, self.build_s, strict=True)
            )
            self.log(f"    {self.chunks:,} chunks stored ({spent})")
        self._timed(lambda archive: archive.save_files())


def _apply(archive: Archive, batch: Sequence[PreparedArticle]) -> None:
    archive.apply(batch, [])


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
    store: Store,
    build_s: float,
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
    result = _result(
        size,
        len(ids),
        min(real_chunks, len(ids)),
        build_s,
        ours,
        base,
        questions,
        ask=ask,
        base_ask=base_ask,
        stages=stages,
        figures=figures or None,
        timeline=timeline,
    )
    result.archive_bytes_per_chunk = folder_bytes(store.directory) / len(ids)
    return result


def _remote(
    remote: RemoteBench,
    build_s: float,
    fast: Encoder,
    questions: Questions,
    params: EngineParams,
    reranker: Reranker | None,
) -> RemoteResult:
    """The remote archive as it stands, measured as the embedded one is: `Engine.ask` end to end
    with the default pipeline; recall@10 of its dense search for as many chunks as `hybrid` asks."""
    ask, _ = _ask_times(
        Engine(remote.archive, fast, reranker=reranker, params=params), questions.texts, questions.warm_up
    )
    stored = remote.archive.vector_count()
    bytes_per_chunk, note = remote.bytes_per_chunk(stored)
    return RemoteResult(
        location=remote.location,
        chunks=stored,
        build_s=build_s,
        ask_p50=1000 * pct(ask, 50),
        ask_p95=1000 * pct(ask, 95),
        recall10=remote.recall10(questions.fast, params.retrieval.depth + params.remote.orphans),
        bytes_per_chunk=bytes_per_chunk,
        bytes_note=note,
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
    line = (
        f"{size_label(r.target)} ({r.chunks:,} chunks): {r.kind}, {ask}{base}, search {r.search_ms:.2f} ms "
        f"(flat {r.base_search_ms:.2f}), recall@10 {r.recall10:.3f}, {r.bytes_per_chunk:.0f} B/chunk, "
        f"load {r.load_ms:.0f} ms, built in {r.build_s:.0f} s"
    )
    if r.end_to_end:
        line += f" ({r.ingest_chunks_s:.0f} chunks/s)"
    if r.archive_bytes_per_chunk is not None:
        line += f", folder {r.archive_bytes_per_chunk:.0f} B/chunk"
    return line + _remote_part(r)


def _remote_part(r: SizeResult) -> str:
    """The remote archive beside the embedded one, on the same line."""
    m = r.remote
    if m is None:
        return ""
    weighed = f"{m.bytes_per_chunk:.0f} B/chunk" if m.bytes_per_chunk is not None else f"bytes {m.bytes_note}"
    return (
        f" | remote {m.location} ({m.chunks:,} chunks): ask p50 {m.ask_p50:.1f} ms p95 {m.ask_p95:.1f} ms "
        f"(embedded {r.ask_p50:.1f}/{r.ask_p95:.1f}), ingest {m.ingest_chunks_s:.0f} chunks/s "
        f"(embedded {r.ingest_chunks_s:.0f}), recall@10 {m.recall10:.3f} (embedded {r.recall10:.3f}), "
        + weighed
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
    remote: RemoteBench | None = None,
) -> tuple[list[SizeResult], int]:
    """Each size measured (end to end up to `e2e_max`, the vector part above), and how many of the
    chunks are real (encoded by the model). With `remote`, each size measured end to end is grown
    in the remote archive too, from the same batches, and measured beside the embedded one."""
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
    growth = Growth([store] if remote is None else [store, remote.archive], real, parents, derive, log)
    results: list[SizeResult] = []
    for size in (s for s in sizes if s <= e2e_max):
        growth.grow(size, batch_articles=max(batch, size // 20))
        result = _end_to_end(
            size, store, growth.build_s[0], real_chunks, fast, baseline, asked, work, params, reranker, topics
        )
        if remote is not None:
            result.remote = _remote(remote, growth.build_s[1], fast, asked, params, reranker)
        results.append(result)
        log("  " + _size_line(results[-1]))
    store.close()
    gc.collect()

    for size in (s for s in sizes if s > e2e_max):
        log(f"  {size_label(size)}: deriving vectors and building the index (vector part only) ...")
        if remote is not None:
            log(f"  {size_label(size)}: the remote archive is not grown past --e2e-max: not measured")
        results.append(_vectors_only(size, pool, derive, real_chunks, asked, work, params))
        log("  " + _size_line(results[-1]))
    return results, real_chunks
