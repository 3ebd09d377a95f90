"""Read articles from a corpus folder: `.md`/`.txt` with optional front matter, and `.jsonl` exports.

Bad input never stops a read: each bad file or line becomes a `SkipReason`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..models import Article, SkipReason

TEXT_SUFFIXES = {".md", ".txt", ".markdown"}
JSONL_SUFFIXES = {".jsonl"}
MAX_ARTICLE_BYTES = 2_000_000
MAX_TITLE_CHARS = 300
# CMS exports write 0001-01-01 or 9999-12-31 for "no date"; relative dates ("last year") are read
# against the publication date, and at the ends of the calendar that arithmetic cannot be done.
PUBLISHED_RANGE = (dt.date(1000, 1, 1), dt.date(2999, 12, 31))
_META_FIELDS = {
    "title",
    "url",
    "published",
    "outlet",
    "author",
    "visibility",
    "status",
    "published_inferred",
}


class BadArticle(ValueError):
    """The message says what is wrong, for the ingest summary."""


@dataclass
class ReadResult:
    articles: list[Article] = field(default_factory=list)
    skipped: list[SkipReason] = field(default_factory=list)
    # Files that could not be read at all: their stored articles must not count as removed.
    unreadable: set[str] = field(default_factory=set)
    # Every file that was looked at (for removal detection).
    seen_files: set[str] = field(default_factory=set)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw[:8192]:
        raise BadArticle("binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadArticle(f"not UTF-8 text (byte {exc.start})") from None


def split_front_matter(text: str) -> tuple[dict, str]:
    """Split `---` YAML front matter from the body; the body is returned exactly as written."""
    if not text.startswith("---"):
        return {}, text
    first_newline = text.find("\n")
    if first_newline < 0 or text[:first_newline].strip() != "---":
        return {}, text
    end = text.find("\n---", first_newline)
    if end < 0:
        raise BadArticle("front matter opened with --- is never closed")
    block = text[first_newline + 1 : end]
    after = text.find("\n", end + 4)
    body = "" if after < 0 else text[after + 1 :]
    try:
        meta = yaml.safe_load(block) or {}
    except yaml.YAMLError as exc:
        raise BadArticle(f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from None
    except ValueError as exc:  # PyYAML's own date parsing: "published: 2021-13-45"
        raise BadArticle(f"front matter has an impossible date or value ({exc})") from None
    if not isinstance(meta, dict):
        raise BadArticle("front matter must be a mapping of field: value")
    return meta, body


def _title_from_text(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:MAX_TITLE_CHARS]
    return ""


def _date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    else:
        try:
            date = dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            raise BadArticle(f"published {str(value)[:40]!r} is not an ISO date (YYYY-MM-DD)") from None
    first, last = PUBLISHED_RANGE
    if not first <= date <= last:
        raise BadArticle(
            f"published {date.isoformat()} is outside the years {first.year} to {last.year}: "
            "a placeholder, not a date"
        )
    return date


def build_article(meta: dict, text: str, *, default_id: str, source: str) -> Article:
    """Validate metadata and text into an Article; raise BadArticle with a reason."""
    if not text.strip():
        raise BadArticle("empty article: no text")
    if len(text.encode("utf-8")) > MAX_ARTICLE_BYTES:
        raise BadArticle(f"article text over {MAX_ARTICLE_BYTES:,} bytes")
    for key in ("title", "url", "outlet", "author"):
        if meta.get(key) is not None and not isinstance(meta[key], str | int | float):
            raise BadArticle(f"{key} must be text")
    url = str(meta["url"]).strip() if meta.get("url") else None
    title = str(meta.get("title") or "").strip()[:MAX_TITLE_CHARS] or _title_from_text(text)
    try:
        return Article.model_validate(
            {
                "article_id": url or default_id,
                "title": title,
                "text": text,
                "url": url,
                "outlet": str(meta["outlet"]).strip() if meta.get("outlet") else None,
                "author": str(meta["author"]).strip() if meta.get("author") else None,
                "published": _date(meta.get("published")),
                "published_inferred": bool(meta.get("published_inferred", False)),
                "visibility": meta.get("visibility") or "public",
                "status": meta.get("status") or "published",
                "source": source,
            }
        )
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise BadArticle(f"{where}: {err['msg']}") from None


def read_text_file(path: Path, article_id: str) -> Article:
    raw = path.read_bytes()
    if len(raw) > MAX_ARTICLE_BYTES:
        raise BadArticle(f"file over {MAX_ARTICLE_BYTES:,} bytes")
    meta, body = split_front_matter(_decode(raw))
    return build_article(meta, body, default_id=article_id, source=str(path.resolve()))


def read_jsonl_file(path: Path, result: ReadResult) -> None:
    """One article per line; a bad line is skipped with its line number, the rest goes on."""
    source = str(path.resolve())
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            if len(raw) > MAX_ARTICLE_BYTES:
                result.skipped.append(SkipReason(source=where, reason="line over size limit"))
                continue
            try:
                record = json.loads(_decode(raw))
                if not isinstance(record, dict):
                    raise BadArticle("line is not a JSON object")
                text = record.get("text")
                if not isinstance(text, str):
                    raise BadArticle("missing text field")
                meta = {k: v for k, v in record.items() if k in _META_FIELDS}
                article = build_article(
                    meta, text, default_id=f"{path_id(path)}#{number}", source=f"{source}:{number}"
                )
            except json.JSONDecodeError as exc:
                reason = f"malformed JSON ({exc.msg})"
            except BadArticle as exc:
                reason = str(exc)
            else:
                result.articles.append(article)
                continue
            result.skipped.append(SkipReason(source=where, reason=reason))
            # A line that failed may hold an article stored earlier: do not count it as removed.
            result.unreadable.add(source)


def iter_files(root: Path) -> Iterator[Path]:
    """Article files under root (or root itself), in a stable order; hidden files are ignored."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.upper() != "README.MD":
                yield Path(dirpath) / name


def path_id(path: Path) -> str:
    """A path article's identity: its absolute path, however the folder was named on the
    command line (`corpus/a.md` from the repo and `/abs/corpus/a.md` are one article)."""
    return path.resolve().as_posix()


def read_corpus(root: Path) -> ReadResult:
    """Read every article under `root`; ids of path-only articles are relative to where it lives."""
    result = ReadResult()
    for path in iter_files(root):
        suffix = path.suffix.lower()
        source = str(path.resolve())
        if suffix not in TEXT_SUFFIXES | JSONL_SUFFIXES:
            if root.is_file():
                result.skipped.append(
                    SkipReason(source=str(path), reason=f"unsupported file type {suffix or '(none)'}")
                )
            continue
        result.seen_files.add(source)
        try:
            if suffix in JSONL_SUFFIXES:
                read_jsonl_file(path, result)
            else:
                result.articles.append(read_text_file(path, article_id=path_id(path)))
        except BadArticle as exc:
            result.skipped.append(SkipReason(source=str(path), reason=str(exc)))
            result.unreadable.add(source)
        except OSError as exc:
            result.skipped.append(SkipReason(source=str(path), reason=f"cannot read ({exc.strerror})"))
            result.unreadable.add(source)
    return result
