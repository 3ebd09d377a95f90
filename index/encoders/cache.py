"""Models converted once for this machine's runtime and kept in a cache folder."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

# An export no newsbot has used for this long is removed when another is made beside it.
UNUSED_DAYS = 30


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newsbot" / "encoders"


def _stat_key(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def content_digest(folder: Path, memo: Path) -> str:
    """SHA-256 of the names and bytes of the files in `folder`: the same for a reinstall of the
    same model, wherever and whenever it was copied. Remembered in `memo` by the files' sizes and
    times, so that the bytes are read once per install, not at every start."""
    seen = memo / _stat_key(folder)
    with contextlib.suppress(OSError):
        return seen.read_text().strip()
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            digest.update(f"{path.relative_to(folder)}\n".encode())
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    digest.update(block)
    content = digest.hexdigest()
    with contextlib.suppress(OSError):  # a read-only cache: hashed again next time
        memo.mkdir(parents=True, exist_ok=True)
        seen.write_text(content)
    return content


def _remove_stale(target: Path, stale: Callable[[Path], bool], done: str) -> None:
    """Removes the exports beside `target` that `stale` says no newsbot here can use, and those
    unused for UNUSED_DAYS."""
    cutoff = time.time() - UNUSED_DAYS * 86400
    for other in target.parent.iterdir():
        if other == target or other.name.startswith(".") or not other.is_dir():
            continue
        used = (other / done).stat().st_mtime if (other / done).exists() else 0.0
        if stale(other) or used < cutoff:
            log.info("removing the stale export %s", other)
            shutil.rmtree(other, ignore_errors=True)


def made_once(
    target: Path,
    done: str,
    make: Callable[[Path], None],
    what: str,
    *,
    expect: str = "",
    stale: Callable[[Path], bool] | None = None,
) -> Path:
    """`target`, made by `make(folder)` on first use into a temporary folder renamed over it
    when complete, so that an interrupted conversion leaves nothing half-made; `done` is the
    file whose presence says the folder is complete (a concurrent maker may win the race), and
    is touched at each use. Making it says so in one plain line on standard error (`expect`: how
    long it takes) and removes the exports beside it that are `stale` or long unused."""
    if (target / done).exists():
        with contextlib.suppress(OSError):  # a read-only cache is used all the same
            os.utime(target / done)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    print(f"Preparing {what} for this CPU, once{f': {expect}' if expect else ''} ({target})", file=sys.stderr)
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
    if stale is not None:
        _remove_stale(target, stale, done)
    return target
