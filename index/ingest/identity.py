"""Which of the articles read are articles of their own, and which repeat a text already stored
or read: the same text under two names or two URLs (a wire story, a syndicated copy, a copy of
the folder) is stored once, with the other names kept as "also published as"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..models import Article, Duplicate, SkipReason
from ..store.records import AlsoPublished, StoredArticle
from ..text.fingerprint import text_fingerprint


def source_file(article: Article) -> str:
    """The file an article came from (JSONL sources carry ':line')."""
    path, _, line = article.source.rpartition(":")
    return path if line.isdigit() and path else article.source


def under(path: str, roots: Sequence[Path]) -> bool:
    """Whether the file `path` is one of `roots` or inside one."""
    for root in roots:
        root_str = str(root.resolve())
        if path == root_str or path.startswith(root_str.rstrip("/") + "/"):
            return True
    return False


@dataclass
class Identities:
    """What an ingest keeps of what it read, against what is stored."""

    kept: dict[str, Article] = field(default_factory=dict)  # by article_id, in reading order
    removals: list[str] = field(default_factory=list)  # stored, and gone from its folder
    merged: list[str] = field(default_factory=list)  # stored, and now a duplicate of another
    duplicates: list[Duplicate] = field(default_factory=list)
    skipped: list[SkipReason] = field(default_factory=list)
    # The other names of kept or stored articles, where they change.
    also: dict[str, list[AlsoPublished]] = field(default_factory=dict)


def _same_text_stays(
    stored: Mapping[str, StoredArticle], read: Mapping[str, Article], gone: set[str]
) -> dict[str, str]:
    """Fingerprint -> the oldest stored article that keeps that text through this ingest."""
    stays: dict[str, str] = {}
    for article_id, before in stored.items():  # oldest first
        if article_id in gone:
            continue
        now = read.get(article_id)
        if now is not None and text_fingerprint(now.text) != before.fingerprint:
            continue  # its text changes: it no longer holds this one
        stays.setdefault(before.fingerprint, article_id)
    return stays


def identify(
    read: Sequence[Article],
    stored: Mapping[str, StoredArticle],
    roots: Sequence[Path],
    unreadable: set[str],
) -> Identities:
    """Articles read from `roots` (in reading order) against the stored ones: the first of each
    text is the article (a stored one before any read); the others are its duplicates. A stored
    article whose file is gone from `roots` (and not merely unreadable) is removed."""
    out = Identities()
    by_id: dict[str, Article] = {}
    for article in read:
        first = by_id.get(article.article_id)
        if first is None:
            by_id[article.article_id] = article
        elif text_fingerprint(first.text) == text_fingerprint(article.text):
            out.duplicates.append(Duplicate(source=article.source, of=article.article_id))
        else:  # one url given to two texts: neither can be told for the other
            reason = f"same id as {first.source} ({article.article_id}) with another text"
            out.skipped.append(SkipReason(source=article.source, reason=reason))
    gone = {
        article_id
        for article_id, before in stored.items()
        if article_id not in by_id
        and before.source_file not in unreadable
        and under(before.source_file, roots)
    }
    stays = _same_text_stays(stored, by_id, gone)
    names: dict[str, list[AlsoPublished]] = {}
    for article in by_id.values():
        fingerprint = text_fingerprint(article.text)
        holder = stays.setdefault(fingerprint, article.article_id)
        if holder == article.article_id:
            out.kept[article.article_id] = article
            continue
        out.duplicates.append(Duplicate(source=article.source, of=holder))
        name = AlsoPublished(article.url or article.source, source_file(article))
        names.setdefault(holder, []).append(name)
        if article.article_id in stored:
            out.merged.append(article.article_id)
    out.removals = [article_id for article_id in stored if article_id in gone]
    for holder in {*out.kept, *(a for a in stored if a not in gone and a not in out.merged)}:
        before = stored[holder].also_published_as if holder in stored else ()
        kept = [a for a in before if not under(a.source_file, roots)]
        listed = list(dict.fromkeys(kept + names.get(holder, [])))
        if tuple(listed) != before:
            out.also[holder] = listed
    return out
