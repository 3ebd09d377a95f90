"""Connections to a build's database: write-ahead logging, the store's pragmas, read-only folders."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..params import StoreParams


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + "-wal")


def connect(database: Path, params: StoreParams) -> tuple[sqlite3.Connection, bool]:
    """A connection in autocommit mode (the store opens its own transactions), and whether it
    reads an immutable snapshot.

    In a folder this account cannot write, SQLite cannot create the write-ahead log beside a
    database that was closed cleanly. None being there, no writer has the database open, and it is
    read as it stands; the store reopens it once a log appears (`Store.stale`).
    """
    try:
        connection = sqlite3.connect(
            database, timeout=params.busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL")
        except BaseException:
            connection.close()
            raise
        immutable = False
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "") != "SQLITE_READONLY_DIRECTORY":
            raise
        connection = sqlite3.connect(
            f"{database.absolute().as_uri()}?mode=ro&immutable=1",
            uri=True,
            isolation_level=None,
            check_same_thread=False,
        )
        immutable = True
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(f"PRAGMA mmap_size={params.mmap_bytes}")
    connection.execute(f"PRAGMA cache_size=-{params.cache_kib}")
    return connection, immutable
