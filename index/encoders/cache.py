"""Models converted once for this machine's runtime and kept in a cache folder."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsbot" / "encoders"


def made_once(target: Path, done: str, make: Callable[[Path], None], what: str) -> Path:
    """`target`, made by `make(folder)` on first use into a temporary folder renamed over it
    when complete, so that an interrupted conversion leaves nothing half-made; `done` is the
    file whose presence says the folder is complete (a concurrent maker may win the race)."""
    if (target / done).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    log.warning("converting %s (once) into %s", what, target)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    try:
        make(tmp)
        try:
            tmp.rename(target)
        except OSError:
            if not (target / done).exists():  # not a concurrent conversion that won
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
