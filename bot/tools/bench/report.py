"""The bench's report: what was measured, the targets met or not, as Markdown and as bench.json."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from index import DEFAULT_BACKEND, RetrievalParams

from .backends import BackendResult
from .index_figures import search_k
from .ingest_race import IngestRace
from .remote import RemoteResult
from .sizes import STAGES, SizeResult


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
    # Chunks one FAISS search asks for, as retrieval does (bench.json files before it: the default).
    search_k: int = field(default_factory=lambda: search_k(RetrievalParams()))
    ingest_race: IngestRace | None = None


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
    race = report.ingest_race
    target = "searchable >= 2.5x faster than the naive pipeline only embeds (torch fp32)"
    if race is None:
        rows.append((target, "not run", None))
    else:
        rows.append(
            (
                target,
                f"{race.speedup:.2f}x ({race.articles} articles: ingest {race.ingest_s:.1f} s, "
                f"naive embedding {race.naive_embed_s:.1f} s of {race.naive_pieces} pieces)",
                race.speedup >= 2.5,
            )
        )
    by_size = {r.target: r for r in report.sizes}
    r = by_size.get(100_000)
    target = "ask p50 <= 100 ms at 100k, the cross-encoder included"
    if r is None or r.ask_p50 is None:
        rows.append((target, "not run" if r is None else "not measured end to end", None))
    else:
        rows.append((target, f"{r.ask_p50:.1f} ms", r.ask_p50 <= 100))
    for name, what in (("figures", " (the archive's own counted things as topics)"), ("timeline", "")):
        target = f"{name} p50 < 100 ms at 100k{what}"
        p50, p95 = (None, None) if r is None else (getattr(r, f"{name}_p50"), getattr(r, f"{name}_p95"))
        if p50 is None:
            rows.append((target, "not run" if r is None else "not measured end to end", None))
        else:
            rows.append((target, f"{p50:.1f} ms (p95 {p95:.1f} ms)", p50 < 100))
    r = by_size.get(1_000_000)
    target = "retrieval (encode, retrieve, read; p50 each, summed) <= 20 ms at 1M"
    if r is None or not r.stages:
        rows.append((target, "not run" if r is None else "not measured end to end", None))
    else:
        retrieval = sum(r.stages.get(stage, 0.0) for stage in ("encode", "retrieve", "read"))
        rows.append((target, f"{retrieval:.1f} ms", retrieval <= 20))
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


BACKEND_COLUMNS = (
    "backend",
    "runs as",
    "ingest chunks/s",
    "vs torch fp32",
    "encode passages/s",
    "question encode p50 (best)",
    "cosine mean (min)",
    "top-10 overlap",
)
SIZE_COLUMNS = (
    "chunks",
    "index",
    "ask p50 / p95",
    "baseline ask p50 / p95",
    "ask speed-up",
    "search p50",
    "baseline search",
    "recall@10",
    "bytes/chunk",
    "baseline bytes/chunk",
    "load",
    "baseline load",
)
INDEX_KINDS = {"flat": "exact (flat)", "hnsw": "HNSW32-SQ8"}


def _row(cells: Sequence[object]) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _head(columns: Sequence[str]) -> list[str]:
    """A Markdown table's header row and the rule under it."""
    return [_row(columns), "|" + "---|" * len(columns)]


def _backend_row(b: BackendResult, report: Report, torch: BackendResult | None) -> str:
    return _row(
        [
            b.backend + (" (default)" if b.backend == report.fast_backend else ""),
            b.runs_as,
            f"{b.ingest_passages_s:.1f}",
            _ratio(b.ingest_passages_s, torch.ingest_passages_s) if torch else "n/a",
            f"{b.encode_passages_s:.1f}",
            f"{b.question_ms:.2f} ms ({b.question_best_ms:.2f})",
            f"{b.cosine_mean:.5f} ({b.cosine_min:.5f})",
            f"{b.top10_overlap:.3f}",
        ]
    )


def _size_row(r: SizeResult) -> str:
    if r.ask_p50 is not None:
        ask = f"{r.ask_p50:.1f} / {r.ask_p95:.1f} ms"
        base = f"{r.base_ask_p50:.1f} / {r.base_ask_p95:.1f} ms"
        speedup = _ratio(r.base_ask_p50, r.ask_p50)
    else:
        ask = base = "vector part only"
        speedup = (
            _ratio(r.base_question_ms + r.base_search_ms, r.question_ms + r.search_ms) + " (encode + search)"
        )
    return _row(
        [
            f"{r.chunks:,}",
            INDEX_KINDS[r.kind],
            ask,
            base,
            speedup,
            f"{r.search_ms:.2f} ms",
            f"{r.base_search_ms:.2f} ms",
            f"{r.recall10:.3f}",
            f"{r.bytes_per_chunk:.0f}",
            f"{r.base_bytes_per_chunk:.0f}",
            f"{r.load_ms:.0f} ms",
            f"{r.base_load_ms:.0f} ms",
        ]
    )


def _sweep_cell(r: SizeResult, ef: int) -> str:
    if ef not in r.ef_sweep:
        return ""
    recall, ms = r.ef_sweep[ef]
    return f"{recall:.3f}, {ms:.2f} ms" + (" *" if ef == r.ef_search else "")


REMOTE_COLUMNS = (
    "chunks",
    "ask p50 / p95 embedded",
    "remote",
    "ingest chunks/s embedded",
    "remote",
    "recall@10 embedded",
    "remote",
    "bytes/chunk embedded (folder)",
    "remote",
)


def _remote_row(r: SizeResult, m: RemoteResult) -> str:
    folder = f"{r.archive_bytes_per_chunk:.0f}" if r.archive_bytes_per_chunk is not None else "n/a"
    return _row(
        [
            f"{r.chunks:,}" + ("" if m.chunks == r.chunks else f" (remote {m.chunks:,})"),
            f"{r.ask_p50:.1f} / {r.ask_p95:.1f} ms",
            f"{m.ask_p50:.1f} / {m.ask_p95:.1f} ms",
            f"{r.ingest_chunks_s:.0f}",
            f"{m.ingest_chunks_s:.0f}",
            f"{r.recall10:.3f}",
            f"{m.recall10:.3f}",
            folder,
            f"{m.bytes_per_chunk:.0f}" if m.bytes_per_chunk is not None else m.bytes_note,
        ]
    )


def _remote_section(report: Report) -> list[str]:
    """The remote archive (`--archive URL`) beside the embedded one, size by size."""
    pairs = [(r, r.remote) for r in report.sizes if r.remote is not None]
    if not pairs:
        return []
    return [
        "",
        "## The remote archive beside the embedded one",
        "",
        f"`--archive`: the same batches grown, in the same run, into {pairs[0][1].location} as well,",
        "collections of the bench's own dropped at the end. `ask` is `Engine.ask` end to end and warm,",
        "the default pipeline, on each archive; ingest is chunks per second of `apply` and `save_files`",
        "over the growth to that size (SQLite and FAISS; Milvus upserts and a flush); recall@10 is each",
        "one's dense search against exact search over the vectors it stores (FAISS as above; the",
        "server's HNSW with no filter, for as many chunks as `hybrid` asks of it); bytes per chunk are",
        "the embedded archive's folder (SQLite, FAISS, everything) and what the server's data folder grew",
        "by (every collection), when the server is on this machine and `--archive-data` names the folder.",
        "",
        *_head(REMOTE_COLUMNS),
        *(_remote_row(r, m) for r, m in pairs),
    ]


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
        "the full-text budget (`RetrievalParams.lexical_postings` in index/params.py) than in a real",
        "archive of that size, and the full-text side costs what that budget allows, no more.",
        "",
        "## Encoder backends",
        "",
        "`ingest` is `newsbot ingest` end to end (split, periods, encode sentences and chunks, SQLite,",
        "FAISS) in chunks per second; `encode` is the model alone on ~200-token passages;",
        "quality is against torch fp32: cosine of passage vectors, and the overlap of each question's",
        "top-10 sentences.",
        "",
        *_head(BACKEND_COLUMNS),
    ]
    torch = next((b for b in report.backends if b.backend == "torch"), None)
    lines += [_backend_row(b, report, torch) for b in report.backends]
    lines += [
        "",
        "## By archive size",
        "",
        f"The default pipeline ({report.fast_backend} encoder, FAISS index by size) against the baseline",
        "(torch fp32 encoder, exact flat index) on the same archive. `ask` is `Engine.ask` end to end",
        "and warm (encode, FAISS, FTS5, answer): timed after five other questions, with the archive's",
        "files read once before (in the OS page cache, as for a bot that has served a while; with a",
        "cold cache each question also waits on the disk). `search` is one FAISS query for the",
        f"{report.search_k} nearest chunks, as retrieval asks; recall@10 is against exact search; bytes per",
        "chunk are the FAISS file's (SQLite and text excluded); load is opening the index file and",
        "answering one query (files from 64 MB up are memory-mapped, the baseline's too).",
        "",
        *_head(SIZE_COLUMNS),
    ]
    lines += [_size_row(r) for r in report.sizes]
    swept = [r for r in report.sizes if r.ef_sweep]
    if swept:
        efs = sorted({ef for r in swept for ef in r.ef_sweep})
        lines += [
            "",
            "HNSW search breadth (efSearch) against recall@10 and search time; the index uses the",
            "starred one at that size (`VectorParams.ef_for` in index/params.py):",
            "",
            *_head(["chunks", *(f"ef {ef}" for ef in efs)]),
        ]
        lines += [_row([f"{r.chunks:,}", *(_sweep_cell(r, ef) for ef in efs)]) for r in swept]
    staged = [r for r in report.sizes if r.stages]
    if staged:
        lines += [
            "",
            "Where an answer's time goes (p50 of each stage of `Engine.ask`, default pipeline): encode",
            "the question; retrieve (FAISS, the visibility filter, the term counts and FTS5 over the",
            "question's rarest terms); read the retrieved chunks' sentences, sources and IDF weights",
            "from SQLite; compose (score, check figures and periods, cite).",
            "",
            *_head(["chunks", *STAGES, "ask p50"]),
        ]
        for r in staged:
            cells = [f"{r.stages.get(stage, float('nan')):.2f} ms" for stage in STAGES]
            lines.append(_row([f"{r.chunks:,}", *cells, f"{r.ask_p50:.1f} ms"]))
    lines += _remote_section(report)
    timed = [r for r in report.sizes if r.timeline_p50 is not None]
    if timed:
        lines += [
            "",
            "Timelines (`Engine.timeline`, warm, each question read as a topic): encode the topic,",
            "retrieve deeper than a question (`TimelineParams.depth`), read the chunks' sentences,",
            "keep those on the topic and dated, merge duplicates, order by the day they happened.",
            "",
            *_head(["chunks", "timeline p50 / p95"]),
        ]
        lines += [_row([f"{r.chunks:,}", f"{r.timeline_p50:.1f} / {r.timeline_p95:.1f} ms"]) for r in timed]
    lines += ["", "## Targets", "", *_head(["target", "measured", "met"])]
    for target, measured, met in targets(report):
        lines.append(_row([target, measured, "yes" if met else "no" if met is False else "not measured"]))
    lines += ["", "![latency and memory by archive size](bench.png)", ""]
    return "\n".join(lines)


def report_from_json(data: dict[str, Any]) -> Report:
    """A saved bench.json back as a Report (to re-render bench.md and bench.png)."""
    data = dict(data)
    data["backends"] = [BackendResult(**b) for b in data.get("backends", [])]
    sizes = []
    for r in data.get("sizes", []):
        r = dict(r)
        r["ef_sweep"] = {int(k): tuple(v) for k, v in (r.get("ef_sweep") or {}).items()}
        if r.get("remote"):
            r["remote"] = RemoteResult(**r["remote"])
        sizes.append(SizeResult(**r))
    data["sizes"] = sizes
    if data.get("ingest_race"):
        data["ingest_race"] = IngestRace(**data["ingest_race"])
    return Report(**data)
