"""A polite rate per host: requests to one host are spaced by at least an interval."""

from __future__ import annotations

from collections.abc import Callable


class HostPacer:
    """Waits (with `sleep`) until `interval` seconds of `clock` have passed since the last request
    to the same host. Not thread-safe: one refresh at a time uses it."""

    def __init__(self, interval: float, clock: Callable[[], float], sleep: Callable[[float], None]):
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._last: dict[str, float] = {}

    def wait(self, host: str, interval: float | None = None) -> None:
        """Called just before a request to `host`; `interval` overrides the default (a longer
        Crawl-delay)."""
        gap = self._interval if interval is None else max(self._interval, interval)
        last = self._last.get(host)
        if last is not None:
            left = last + gap - self._clock()
            if left > 0:
                self._sleep(left)
        self._last[host] = self._clock()
