"""An ingest's progress as a bar on a terminal, or as a line at a steady interval where nobody
watches one (a log, CI, a service manager): a long ingest is never silent until its summary."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm


def duration(seconds: float) -> str:
    """'45s', '3m10s', '1h02m'."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02}m"


def progress_line(done: int, total: int, chunks: int, elapsed: float) -> str:
    """'ingest: 120 of 900 articles, 45.0 chunks/s, about 3m10s left'."""
    head = f"ingest: {done:,} of {total:,} articles"
    if done == 0 or elapsed <= 0:
        return f"{head}, starting"
    left = (total - done) * elapsed / done
    return f"{head}, {chunks / elapsed:.1f} chunks/s, about {duration(left)} left"


class TerminalBar:
    def __init__(self) -> None:
        self._bar: tqdm | None = None

    def start(self, articles: int) -> None:
        self._bar = tqdm(total=articles, unit="article", desc="ingest")

    def advance(self, articles: int, chunks: int) -> None:
        if self._bar is not None:
            self._bar.update(articles)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class ProgressLines:
    """A progress line every `interval` seconds while the ingest runs, and one when it ends."""

    def __init__(self, stream: TextIO, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream, self._interval, self._clock = stream, interval, clock
        self._total = self._done = self._chunks = 0
        self._began = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def _say(self, line: str) -> None:
        print(line, file=self._stream, flush=True)

    def _line(self) -> str:
        with self._lock:
            return progress_line(self._done, self._total, self._chunks, self._clock() - self._began)

    def _tick(self) -> None:
        while not self._stop.wait(self._interval):
            self._say(self._line())

    def start(self, articles: int) -> None:
        if not articles:
            return  # removals only: over in a moment
        self._total, self._began = articles, self._clock()
        self._say(self._line())
        self._ticker = threading.Thread(target=self._tick, name="ingest-progress", daemon=True)
        self._ticker.start()

    def advance(self, articles: int, chunks: int) -> None:
        with self._lock:
            self._done += articles
            self._chunks += chunks

    def close(self) -> None:
        if self._ticker is None:
            return
        self._stop.set()
        self._ticker.join()
        took = duration(self._clock() - self._began)
        self._say(f"ingest: {self._done:,} of {self._total:,} articles in {took}")
