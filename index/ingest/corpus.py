"""Read articles from a corpus folder: `.md`/`.txt` with optional front matter, and `.jsonl` exports.

Bad input never stops a read: each bad file or line becomes a `SkipReason`; a field that cannot
be read where the article can still be stored without it (a date) becomes an `IngestWarning`.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..models import Article, IngestWarning, SkipReason
from ..params import IngestParams
from ..text.fingerprint import ID_DIGITS, text_fingerprint
from ..text.terms import composed
from .dates import UnreadableDate, publication_date

TEXT_SUFFIXES = {".md", ".txt", ".markdown"}
JSONL_SUFFIXES = {".jsonl"}
MAX_ARTICLE_BYTES = 2_000_000
MAX_TITLE_CHARS = 300
# Front matter is a few lines of metadata; the cap bounds the YAML parser's work (pure Python:
# about 0.2 s for 16 KB) whatever a file holds.
MAX_FRONT_MATTER_CHARS = 16_384
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
    warnings: list[IngestWarning] = field(default_factory=list)
    # Files that could not be read at all: their stored articles must not count as removed.
    unreadable: set[str] = field(default_factory=set)
    # Every file that was looked at (for removal detection).
    seen_files: set[str] = field(default_factory=set)


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise BadArticle("binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadArticle(f"not UTF-8 text (byte {exc.start})") from None


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: `*name` repeats a node by reference, so a few
    hundred bytes of nested aliases expand to gigabytes once the value is read as text. Dates
    and times stay text, read by the one date reader (index/ingest/dates.py) whatever the
    format holding them."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            raise BadArticle("front matter uses a YAML alias (*name): write the value out in full")
        return super().compose_node(parent, index)


def _as_text(loader: _FrontMatterLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)  # a timestamp is a scalar
    return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_text)


def _parse_front_matter(block: str) -> dict:
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise BadArticle(
            f"front matter is over {MAX_FRONT_MATTER_CHARS:,} characters: keep it to the article's "
            "fields (title, url, published, ...) and put the text after the closing ---"
        )
    try:
        meta = yaml.load(block, Loader=_FrontMatterLoader) or {}
    except BadArticle:
        raise
    except yaml.YAMLError as exc:
        raise BadArticle(f"front matter is not valid YAML ({str(exc).splitlines()[0]})") from None
    except RecursionError:
        raise BadArticle("front matter is nested too deeply to read") from None
    except ValueError as exc:  # an integer of over 4,300 digits
        raise BadArticle(f"front matter has an impossible value ({exc})") from None
    if not isinstance(meta, dict):
        raise BadArticle("front matter must be a mapping of field: value")
    return meta


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
    meta = _parse_front_matter(text[first_newline + 1 : end])
    after = text.find("\n", end + 4)
    return meta, "" if after < 0 else text[after + 1 :]


def _json_record(line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadArticle(f"malformed JSON ({exc.msg})") from None
    except RecursionError:
        raise BadArticle("JSON nested too deeply to read") from None
    except ValueError:  # the one other refusal of Python's JSON reader
        raise BadArticle(f"a number has over {sys.get_int_max_str_digits():,} digits") from None


def _check_characters(field_name: str, value: object) -> None:
    """Text must be characters; JSON and YAML escapes can write half a UTF-16 pair ("\\ud800")."""
    if not isinstance(value, str):
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadArticle(
            f"{field_name} holds {value[exc.start]!r} at character {exc.start}, half of a UTF-16 "
            "surrogate pair and not a character: fix the export that wrote it"
        ) from None


def _title_from_text(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:MAX_TITLE_CHARS]
    return ""


def _kind(value: object) -> str:
    """What a JSON or YAML value is, in words: "a number", "a list"."""
    match value:
        case bool():
            return "true or false"
        case int() | float():
            return "a number"
        case list():
            return "a list"
        case dict():
            return "a mapping"
    return type(value).__name__


# Fields read as words: stored composed, so that an accent written as a combining mark
# ("Pe\u0301rez") reads as the letter it makes ("Pérez") in every word match, name and span.
# The url is an identity, kept as given.
_COMPOSED = frozenset({"title", "outlet", "author"})


def build_article(
    meta: dict, text: str, *, name: str, source: str, params: IngestParams = IngestParams()
) -> tuple[Article, list[str]]:
    """Validate metadata and text into an Article, with warnings about what it was stored
    without; raise BadArticle with a reason when it cannot be stored. Its identity is its url,
    else `name` (where it sits in the folder ingested) and its text's fingerprint."""
    for key, value in [("text", text), *meta.items()]:
        _check_characters(key, value)
    if not text.strip():
        raise BadArticle("empty article: no text")
    if len(text.encode("utf-8")) > MAX_ARTICLE_BYTES:
        raise BadArticle(f"article text over {MAX_ARTICLE_BYTES:,} bytes")
    for key in ("title", "url", "outlet", "author"):
        if meta.get(key) is not None and not isinstance(meta[key], str | int | float):
            raise BadArticle(f"{key} must be text")
    text = composed(text)
    meta = {
        key: composed(value) if key in _COMPOSED and isinstance(value, str) else value
        for key, value in meta.items()
    }
    url = str(meta["url"]).strip() if meta.get("url") else None
    title = str(meta.get("title") or "").strip()[:MAX_TITLE_CHARS] or _title_from_text(text)
    warnings = []
    try:
        published = publication_date(meta.get("published"), day_first=params.day_first)
    except UnreadableDate as exc:
        published = None
        warnings.append(f"{exc}: stored undated (write it as YYYY-MM-DD)")
    try:
        article = Article.model_validate(
            {
                "article_id": url or f"{name}#{text_fingerprint(text)[:ID_DIGITS]}",
                "title": title,
                "text": text,
                "url": url,
                "outlet": str(meta["outlet"]).strip() if meta.get("outlet") else None,
                "author": str(meta["author"]).strip() if meta.get("author") else None,
                "published": published,
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
    return article, warnings


def read_text_file(path: Path, name: str, result: ReadResult, params: IngestParams) -> None:
    raw = path.read_bytes()
    if len(raw) > MAX_ARTICLE_BYTES:
        raise BadArticle(f"file over {MAX_ARTICLE_BYTES:,} bytes")
    meta, body = split_front_matter(_decode(raw))
    article, warnings = build_article(meta, body, name=name, source=str(located(path)), params=params)
    result.articles.append(article)
    result.warnings += [IngestWarning(source=str(path), warning=w) for w in warnings]


def read_jsonl_file(path: Path, name: str, result: ReadResult, params: IngestParams) -> None:
    """One article per line; a bad line is skipped with its line number, the rest goes on."""
    source = str(located(path))
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            where = f"{path}:{number}"
            if not raw.strip():
                continue
            if len(raw) > MAX_ARTICLE_BYTES:
                result.skipped.append(SkipReason(source=where, reason="line over size limit"))
                continue
            try:
                record = _json_record(_decode(raw))
                if not isinstance(record, dict):
                    raise BadArticle("line is not a JSON object")
                text = record.get("text")
                if text is None:
                    raise BadArticle('missing text field: each line needs "text", the article itself')
                if not isinstance(text, str):
                    raise BadArticle(f'"text" is {_kind(text)}, not text: give the article as a string')
                meta = {k: v for k, v in record.items() if k in _META_FIELDS}
                article, warnings = build_article(
                    meta,
                    text,
                    name=name,
                    source=f"{source}:{number}",
                    params=params,
                )
            except BadArticle as exc:
                result.skipped.append(SkipReason(source=where, reason=str(exc)))
                # A line that failed may hold an article stored earlier: do not count it as removed.
                result.unreadable.add(source)
            else:
                result.articles.append(article)
                result.warnings += [IngestWarning(source=where, warning=w) for w in warnings]


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


def relative_name(path: Path, root: Path) -> str:
    """Where a file sits in the folder ingested (its name, when a file was given): the same
    whichever way the folder is spelled or wherever it was copied, so that a copy of the
    archive is the same articles, not new ones."""
    return path.name if path == root else path.relative_to(root).as_posix()


def located(path: Path) -> Path:
    """Where a file sits in the corpus: its folder resolved, its own name kept, so that an
    article read through a symlink is tracked as the link and goes when the link goes."""
    return Path(os.path.realpath(path.parent)) / path.name


def _shown(path: Path) -> str:
    """The path as text that can be printed and stored: bytes that are not UTF-8 escaped."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def read_corpus(root: Path, params: IngestParams = IngestParams()) -> ReadResult:
    """Read every article under `root`; ids of articles without a url are their path relative
    to `root` and their text's fingerprint."""
    result = ReadResult()
    for path in iter_files(root):
        suffix = path.suffix.lower()
        if suffix not in TEXT_SUFFIXES | JSONL_SUFFIXES:
            if root.is_file():
                result.skipped.append(
                    SkipReason(source=_shown(path), reason=f"unsupported file type {suffix or '(none)'}")
                )
            continue
        if _shown(path) != str(path):
            reason = "file name is not UTF-8: rename it to be read"
            result.skipped.append(SkipReason(source=_shown(path), reason=reason))
            continue
        source = str(located(path))
        result.seen_files.add(source)
        try:
            name = relative_name(path, root)
            if suffix in JSONL_SUFFIXES:
                read_jsonl_file(path, name, result, params)
            else:
                read_text_file(path, name, result, params)
        except BadArticle as exc:
            result.skipped.append(SkipReason(source=str(path), reason=str(exc)))
            result.unreadable.add(source)
        except OSError as exc:
            result.skipped.append(SkipReason(source=str(path), reason=f"cannot read ({exc.strerror})"))
            result.unreadable.add(source)
    return result
