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
3. **The remote archive beside the embedded one**, with `--archive milvus://host:port` (the token
   from NEWSBOT_ARCHIVE_TOKEN): each size measured end to end is grown, from the same batches
   and in the same run, in a Milvus server too (collections `bench_<random>_*`, dropped at the
   end), and measured alike: ask p50/p95, ingest chunks/s, recall@10 of its dense search against
   exact search over the vectors it stores, and, for a server on this machine whose data folder
   `--archive-data` names, bytes per chunk (remote.py).

Writes a Markdown report and a PNG plot. The parts
beside this command: texts.py (the text), backends.py (part 1), sizes.py (part 2), report.py
(bench.md, bench.json, the targets), plot.py (bench.png), index_figures.py (one FAISS index
measured) and measure.py (timing, the machine).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import re
import shutil
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from index import DEFAULT_BACKEND, Encoder, EncoderBackend, EngineParams, UserError, load_reranker

from ...cli.options import BenchOptions
from .backends import Vectors, bench_backend
from .index_figures import search_k
from .ingest_race import ingest_race
from .measure import machine, versions
from .plot import plot
from .remote import RemoteBench, RemoteTarget
from .report import Report, markdown, targets
from .sizes import bench_sizes
from .texts import DEFAULT_SQUAD, load_texts

SIZE_NAMES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}


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


def parse_backends(text: str | None, quick: bool) -> list[EncoderBackend]:
    """The backends to measure, torch fp32 (the baseline) first; by default every one, or torch
    and the default with `--quick`."""
    names = [b.strip() for b in (text or "").split(",") if b.strip()]
    known = {b.value for b in EncoderBackend}
    unknown = sorted({name for name in names if name not in known})
    if unknown:
        choices = ", ".join(EncoderBackend)
        raise UserError(f"Unknown backend(s) {', '.join(unknown)}: choose from {choices}.")
    default = [EncoderBackend.TORCH, DEFAULT_BACKEND] if quick else list(EncoderBackend)
    backends = [EncoderBackend(name) for name in names] or default
    return [EncoderBackend.TORCH] + [b for b in backends if b is not EncoderBackend.TORCH]


def run_bench(args: BenchOptions, params: EngineParams, *, archive_token: str = "") -> int:
    quick = args.quick
    remote_target = RemoteTarget.given(args.archive, archive_token, args.archive_data)
    sizes = parse_sizes(args.sizes or ("1k,10k" if quick else "1k,10k,100k,1m"))
    backends = parse_backends(args.backends, quick)
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
        versions=versions(),
        texts=texts.source,
        command=args.command_line(),
        started=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        fast_backend=fast_backend,
        search_k=search_k(params.retrieval),
    )
    if args.work_dir:
        Path(args.work_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="newsbot-bench-", dir=args.work_dir))
    try:
        log(f"newsbot bench: {report.machine}; text: {texts.source}")
        log("encoder backends:")
        reference: Vectors | None = None
        encoders: dict[EncoderBackend, Encoder] = {}
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
                params=params,
            )
            report.backends.append(result)
            if backend is EncoderBackend.TORCH:
                reference = vectors
            if backend in (EncoderBackend.TORCH, fast_backend):
                encoders[backend] = encoder
            else:
                del encoder
                gc.collect()
        report.ingest_race = ingest_race(
            encoders[fast_backend],
            encoders[EncoderBackend.TORCH],
            texts,
            work,
            params,
            articles=40 if quick else 150,
        )
        log(f"  searchable {report.ingest_race.speedup:.2f}x faster than the naive pipeline embeds")
        log("archive sizes:")
        rerank = params.answer.rerank
        reranker = load_reranker(max_tokens=rerank.max_tokens, threads=rerank.threads)
        fast = encoders[fast_backend]
        remote = (
            None
            if remote_target is None
            else RemoteBench(remote_target, fast.name, fast.dimension, work / "uploads", params)
        )
        try:
            report.sizes, report.real_chunks = bench_sizes(
                sizes,
                texts,
                fast,
                encoders[EncoderBackend.TORCH],
                work,
                questions=args.questions or (30 if quick else 100),
                e2e_max=max(parse_sizes(args.e2e_max)) if args.e2e_max else 1_000_000,
                log=log,
                params=params,
                reranker=reranker,
                remote=remote,
            )
        finally:
            if remote is not None:
                remote.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report.minutes = (time.perf_counter() - started) / 60
    (out / "bench.md").write_text(markdown(report), encoding="utf-8")
    (out / "bench.json").write_text(json.dumps(asdict(report), indent=2), encoding="utf-8")
    plot(report, out / "bench.png")
    log(f"wrote {out / 'bench.md'} and {out / 'bench.png'}")
    for target, measured, met in targets(report):
        log(f"  {'met' if met else 'MISSED' if met is False else 'n/a'}: {target}: {measured}")
    return 0
