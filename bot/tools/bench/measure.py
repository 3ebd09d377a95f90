"""Timing helpers, and the machine a measurement ran on (shared with tests/bot/discord_bot/bot_load.py)."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index import Encoder

# The packages whose versions decide the figures.
PACKAGES = ("torch", "sentence-transformers", "transformers", "openvino", "nncf", "faiss-cpu")
# The CPU extensions the encoder backends use where the CPU has them.
EXTENSIONS = ("avx512_vnni", "avx512_bf16", "amx_bf16")


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile of `values`; NaN when there are none."""
    return float(np.percentile(np.asarray(values), q)) if len(values) else float("nan")


def encode_times(encoder: Encoder, texts: Sequence[str]) -> list[float]:
    """Seconds to encode each text alone, as a question is encoded."""
    seconds = []
    for text in texts:
        start = time.perf_counter()
        encoder.encode([text])
        seconds.append(time.perf_counter() - start)
    return seconds


class Laps:
    """Where one `Engine.ask` spent its time: pass `lap` as its `lap` callback, and `stages` holds
    the seconds of each stage (encode, wait, retrieve, read, compose) once it has returned."""

    def __init__(self) -> None:
        self.stages: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stages[stage] = now - self._last
        self._last = now


def folder_bytes(folder: Path) -> int:
    """The bytes of every file under `folder` (their sizes); one a server removes meanwhile
    counts nothing."""
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(FileNotFoundError):
            if path.is_file():
                total += path.stat().st_size
    return total


def cpu_cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine() -> str:
    """The CPU model, its cores and the vector extensions the backends use."""
    model = platform.processor() or platform.machine()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpuinfo = ""
    for line in cpuinfo.splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    extras = [flag for flag in EXTENSIONS if flag in cpuinfo]
    return f"{model}, {cpu_cores()} cores" + (f" ({', '.join(extras)})" if extras else "")


def versions() -> str:
    """The installed versions of the packages that decide the figures."""
    found = []
    for name in PACKAGES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found.append(f"{name} {importlib.metadata.version(name)}")
    return ", ".join(found)
