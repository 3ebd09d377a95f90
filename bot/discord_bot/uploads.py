"""Checking files attached to /ingest: type, size, encoding and a name that stays in its folder."""

from __future__ import annotations

import re

from index import UserError

ALLOWED_SUFFIXES = (".md", ".txt", ".jsonl")
NAME_MAX = 100


class UploadRejected(UserError):
    pass


def safe_filename(name: str) -> str:
    """A plain file name from whatever the uploader sent: no folders, no leading dots, ASCII only."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[: NAME_MAX - 8] or "upload"
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(name: str, size: int, max_bytes: int) -> str:
    """The name to store the upload under; raises UploadRejected for a wrong type or size."""
    clean = safe_filename(name)
    if not clean.endswith(ALLOWED_SUFFIXES):
        raise UploadRejected(f"Only {', '.join(ALLOWED_SUFFIXES)} files can be ingested.")
    if size > max_bytes:
        raise UploadRejected(f"The file is {size:,} bytes; the limit is {max_bytes:,}.")
    if size == 0:
        raise UploadRejected("The file is empty.")
    return clean


def count_articles(name: str, data: bytes) -> int:
    """A JSONL export holds one article per non-blank line; any other file is one article."""
    if not name.endswith(".jsonl"):
        return 1
    return sum(1 for line in data.splitlines() if line.strip())


def checked_upload(name: str, data: bytes, max_bytes: int, max_articles: int) -> str:
    """The name to keep the upload under (the engine keeps it in the index's uploads folder,
    `Engine.save_upload`); raises UploadRejected for a wrong type, size, encoding or count."""
    clean = check_upload(name, len(data), max_bytes)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRejected("The file is not UTF-8 text.") from None
    articles = count_articles(clean, data)
    if articles > max_articles:
        raise UploadRejected(
            f"The file holds {articles:,} articles; /ingest takes at most {max_articles:,} at a "
            "time. Import larger exports with `newsbot ingest`."
        )
    return clean
