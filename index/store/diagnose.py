"""What a failed SQLite or file operation on the index means to the person running newsbot: one
line saying what happened and what to do, instead of a traceback."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import DiskFullError, IndexDamagedError, IndexReadOnlyError, UserError
from .space import free_bytes, megabytes

_FULL = (errno.ENOSPC, errno.EDQUOT)
_DENIED = (errno.EACCES, errno.EPERM, errno.EROFS)


def disk_full(where: Path) -> DiskFullError:
    return DiskFullError(
        f"The disk holding {where} is full ({megabytes(free_bytes(where))} free): free some space "
        "and run the command again; the archive itself is unharmed."
    )


def read_only(root: Path, detail: str) -> IndexReadOnlyError:
    return IndexReadOnlyError(
        f"The index in {root} can be read but not changed by this account ({detail}): run "
        "ingests as the account that owns it, or give this one write access to the folder."
    )


def damaged(root: Path, detail: str) -> IndexDamagedError:
    return IndexDamagedError(
        f"The index database in {root} is damaged ({detail}): restore it from a backup or rebuild "
        "it with `newsbot ingest --rebuild`."
    )


def user_error(exc: BaseException, root: Path, min_free: int) -> UserError | None:
    """The UserError `exc` amounts to, or None when it is not about the index's files."""
    low_on_space = free_bytes(root) < min_free
    if isinstance(exc, sqlite3.Error):
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name == "SQLITE_FULL" or (name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) and low_on_space):
            return disk_full(root)
        if name.startswith("SQLITE_READONLY"):
            return read_only(root, str(exc))
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return damaged(root, str(exc))
        if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")):
            return UserError(
                f"Could not read or write the index in {root} ({exc}): check the disk and the "
                "folder's permissions, then run the command again."
            )
        return None
    if isinstance(exc, OSError):
        if exc.errno in _FULL or (exc.errno == errno.EIO and low_on_space):
            return disk_full(Path(exc.filename).parent if exc.filename else root)
        inside = exc.filename is not None and Path(exc.filename).is_relative_to(root)
        if exc.errno in _DENIED and inside:
            return read_only(root, exc.strerror or str(exc))
    return None


@contextmanager
def diagnosed(root: Path, min_free: int) -> Iterator[None]:
    """SQLite and file errors about the index, raised inside, become their UserError."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        error = user_error(exc, root, min_free)
        if error is None:
            raise
        raise error from exc
