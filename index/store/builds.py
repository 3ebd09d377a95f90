"""The index folder: builds of the archive, one of them live, switched by one rename.

    INDEX_DIR/
      current              the live build's name ("build-000002"), replaced in one rename
      build-000002/        newsbot.sqlite3, vectors-*.faiss, manifest.json, open.lock
      uploads/             files sent with /ingest: a source of the archive, not derived data
      newsbot.sqlite3 -> build-000002/newsbot.sqlite3   for tools and scripts that look here
      manifest.json -> build-000002/manifest.json       (SQLite follows the link into the build)
      rebuild.lock

A rebuild fills a new build folder inside INDEX_DIR (which may be a mount point: nothing renames
INDEX_DIR itself) and, once the build is complete, makes it live by replacing `current`: a crash
at any moment leaves the old build live or the new one. The links are updated after the pointer
and repaired on open; they are conveniences, never the truth. An index made before builds
existed (its database directly in INDEX_DIR) is its own live build, read in place, until a
rebuild replaces it.

Every open store holds a shared lock on its build's `open.lock`. A retired build is deleted by the
last store to leave it (or by the rebuild that retired it, when no store had it open), and one a
crashed rebuild left unfinished by the next rebuild. A build that was live never becomes live
again, so a store that finds its build retired opens the live one instead.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import IndexDamagedError, IndexMissingError
from .atomic import write_bytes_atomic
from .schema import DB_NAME, MANIFEST_NAME
from .space import files_bytes

log = logging.getLogger(__name__)

POINTER = "current"
UPLOADS = "uploads"
REBUILD_LOCK = "rebuild.lock"
OPEN_LOCK = "open.lock"
LINKED = (DB_NAME, MANIFEST_NAME)
_BUILD = re.compile(r"build-(\d{6,})")
# What an index made before builds keeps beside its database, deleted once a build replaced it.
_OLD_LAYOUT_FILES = (f"{DB_NAME}-wal", f"{DB_NAME}-shm", OPEN_LOCK, "vectors-*.faiss", ".*.tmp")
_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


class BuildRetired(Exception):
    """The build a store writes to is no longer live: open the live one and write again."""


def missing_index(root: Path) -> IndexMissingError:
    return IndexMissingError(f"No index at {root}: run `newsbot ingest` first (or pass --index-dir).")


def hold(build: Path) -> int | None:
    """A shared lock on `build`, held until the returned descriptor is closed; None in a folder
    this account cannot write (where no one deletes anything either). Raises FileNotFoundError
    when the build is gone."""
    try:
        fd = os.open(build / OPEN_LOCK, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError as exc:
        if exc.errno in _NOT_WRITABLE:
            return None
        raise
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def release(held: int | None) -> None:
    if held is not None:
        os.close(held)


def _delete_if_unused(build: Path, paths: list[Path]) -> bool:
    """Deletes `paths` when no process holds `build` open; whether it did."""
    try:
        fd = os.open(build / OPEN_LOCK, os.O_RDONLY | os.O_CREAT, 0o666)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        for path in paths:
            try:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
            except OSError as exc:  # another account's files: what is left waits for their owner
                log.info("could not delete %s: %s", path, exc)
        return True
    finally:
        os.close(fd)


@dataclass(frozen=True)
class IndexFolder:
    root: Path

    @property
    def uploads(self) -> Path:
        return self.root / UPLOADS

    def pointer(self) -> str | None:
        """The live build's name; None when no build was ever made live here."""
        try:
            return (self.root / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None

    def live(self) -> Path | None:
        """The live build's folder: the index folder itself for an index made before builds, None
        when there is no index."""
        name = self.pointer()
        if name is None:
            database = self.root / DB_NAME
            if database.is_symlink():
                raise IndexDamagedError(
                    f"The index in {self.root} lost its `{POINTER}` file, which names the live "
                    "build: restore it from a backup or rebuild with `newsbot ingest --rebuild`."
                )
            return self.root if database.is_file() else None
        build = self.root / name
        if not _BUILD.fullmatch(name) or not (build / DB_NAME).is_file():
            raise IndexDamagedError(
                f"The index in {self.root} names {name!r} as its live build, which is missing or "
                "has no database: restore it from a backup or rebuild with `newsbot ingest --rebuild`."
            )
        return build

    def live_size(self) -> int:
        """The bytes of the live build's files; 0 when there is none, or none to be found."""
        try:
            live = self.live()
        except IndexDamagedError:
            return 0
        return files_bytes(live) if live else 0

    def is_live(self, build: Path) -> bool:
        """One small read: cheap enough to ask before every question."""
        name = self.pointer()
        return build == (self.root if name is None else self.root / name)

    def open_live(self) -> tuple[Path, int | None]:
        """The live build, held (see `hold`) so that no one deletes it while it is open."""
        while True:
            build = self.live()
            if build is None:
                raise missing_index(self.root)
            try:
                held = hold(build)
            except FileNotFoundError:
                continue  # retired and deleted since the pointer was read
            if self.is_live(build):
                return build, held
            release(held)

    def link(self, build: Path) -> None:
        """Points the names tools look for in the index folder at `build`'s files: finishes a switch
        that crashed before it, or mends a copy that followed the links. Best effort: the pointer,
        not the links, says which build is live."""
        if build == self.root:
            return
        for name in LINKED:
            link, target = self.root / name, f"{build.name}/{name}"
            if link.is_symlink() and os.readlink(link) == target:
                continue
            tmp = self.root / f".{name}.{secrets.token_hex(4)}.link"
            try:
                os.symlink(target, tmp)
                os.replace(tmp, link)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                log.warning("could not link %s to %s: %s", link, target, exc)

    def builds(self) -> list[Path]:
        return sorted(p for p in self.root.iterdir() if _BUILD.fullmatch(p.name) and p.is_dir())

    @contextmanager
    def locked(self, *, wait: bool) -> Iterator[Builds | None]:
        """The right to add, switch and delete builds; None when another process holds it and
        `wait` is false. Creates the index folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / REBUILD_LOCK, os.O_RDONLY | os.O_CREAT, 0o666)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield None
            else:
                yield Builds(self)
        finally:
            os.close(fd)

    def remove_if_retired(self, build: Path) -> bool:
        """Deletes `build` if it is not live and no process holds it, so that whoever leaves a
        retired build last removes it; whether it did. Without the rebuild lock, only for a build
        that was live: one that is not live then is retired, no rebuild's, and stays retired."""
        if self.is_live(build):
            return False
        if build != self.root:
            return _delete_if_unused(build, [build])
        old_layout = [p for pattern in _OLD_LAYOUT_FILES for p in self.root.glob(pattern)]
        return bool(old_layout) and _delete_if_unused(self.root, old_layout)


@dataclass(frozen=True)
class Builds:
    """The builds of an index folder, changed only while its rebuild lock is held."""

    folder: IndexFolder

    def create(self) -> Path:
        numbers = [int(m.group(1)) for p in self.folder.builds() if (m := _BUILD.fullmatch(p.name))]
        build = self.folder.root / f"build-{max(numbers, default=0) + 1:06d}"
        build.mkdir()
        return build

    def switch(self, build: Path) -> None:
        """Makes `build` live, in one rename."""
        write_bytes_atomic(self.folder.root / POINTER, f"{build.name}\n".encode())
        self.folder.link(build)

    def remove_unused(self) -> list[Path]:
        """Deletes the builds that are not live and that no process holds (unfinished ones
        included: no other rebuild runs); returns them."""
        try:
            live = self.folder.live()
        except IndexDamagedError:
            return []  # which build is live is unknown: delete nothing
        candidates = [b for b in self.folder.builds() if b != live]
        if live is not None and live != self.folder.root:
            candidates.append(self.folder.root)  # what an index made before builds left
        removed = [b for b in candidates if self.folder.remove_if_retired(b)]
        for build in removed:
            log.info("deleted the unused build %s", build)
        return removed
