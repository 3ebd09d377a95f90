"""Free space on the disk holding the index, checked before a rebuild and before each ingest
batch: a write stops with a clear message while there is still room to open and ask the archive."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..errors import DiskFullError


def free_bytes(path: Path) -> int:
    """What an unprivileged writer may still use on the filesystem holding `path` (or the nearest
    folder above it that exists)."""
    probe = Path(path).absolute()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def files_bytes(folder: Path) -> int:
    """The size of the files directly in `folder` (a build: its database, log and vectors)."""
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file() and not p.is_symlink())


def megabytes(n: int) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 10e6 else f"{n / 1e6:,.1f} MB"


def ensure_room(path: Path, needed: int, what: str) -> None:
    """Raises DiskFullError when the disk holding `path` has less than `needed` bytes free."""
    free = free_bytes(path)
    if free < needed:
        raise DiskFullError(
            f"{what} needs {megabytes(needed)} free on the disk holding {path}, which has "
            f"{megabytes(free)}: free some space and run it again."
        )
