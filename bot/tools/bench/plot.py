"""The bench's plot: question latency and FAISS memory by archive size (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: the plot is a file
import matplotlib.pyplot as plt

from .report import Report


def plot(report: Report, path: Path) -> None:
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
