"""Per-user cooldown between questions, kept in memory."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class Cooldown:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 and the question is counted, or the seconds the user still has to wait."""
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self._seconds:
            return self._seconds - (now - last)
        self._last[user_id] = now
        if len(self._last) > 10_000:  # forget users whose cooldown has long passed
            self._last = {uid: t for uid, t in self._last.items() if now - t < self._seconds}
        return 0.0


def cooldown_notice(wait: float) -> str:
    return f"One question at a time: try again in {math.ceil(wait)} s."
