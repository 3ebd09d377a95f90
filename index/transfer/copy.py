"""Writing a store's articles, vectors and kept questions to an export, and reading an export
back in batches of articles with their vectors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np

from ..archive.protocol import Archive
from ..models import Article, Status
from ..store.records import AlsoPublished, sentences_in_chunk
from .lines import (
    AbstentionLine,
    ArticleLine,
    BadExportError,
    FeedbackLine,
    Header,
    Line,
    OtherName,
    SampleLine,
    text_key,
    vector_of,
    vector_text,
    write_line,
)


def header(store: Archive, now: dt.datetime) -> Header:
    counts = store.counts()
    return Header(
        model=store.model,
        dimension=store.dimension,
        sentences_in_chunk=sentences_in_chunk(store.meta()),
        articles=counts["articles"] + counts["retracted"],
        sentences=counts["sentences"],
        chunks=counts["chunks"],
        exported_at=now,
    )


def write_store(store: Archive, out: IO[str], samples: int) -> list[str]:
    """Writes every article with its vectors, then the feedback and abstentions; returns up to
    `samples` queries to check a copy by: the first sentence of published articles spread
    evenly over the archive (call inside a snapshot)."""
    firsts: list[str] = []
    for copy in store.copies():
        vectors = {text_key(text): vector_text(blob) for text, blob in copy.embedded}
        names = [OtherName(name=a.name, source_file=a.source_file) for a in copy.also_published_as]
        write_line(out, ArticleLine(article=copy.article, also_published_as=names, vectors=vectors))
        if copy.article.status is Status.PUBLISHED and copy.embedded:
            firsts.append(copy.embedded[0][0])
    for created, helpful, user_hash, question in store.feedback():
        write_line(
            out, FeedbackLine(created=created, helpful=bool(helpful), user_hash=user_hash, question=question)
        )
    for created, user_hash, question in store.abstentions():
        write_line(out, AbstentionLine(created=created, user_hash=user_hash, question=question))
    distinct = list(dict.fromkeys(firsts))  # a byline or "CNN —" opens many articles
    step = max(1, len(distinct) // samples) if samples else 0
    return distinct[::step][:samples] if step else []


def write_samples(out: IO[str], found: dict[str, list[str]]) -> None:
    for query, ids in found.items():
        write_line(out, SampleLine(query=query, found=ids))


@dataclass
class Batch:
    articles: list[Article] = field(default_factory=list)
    names: dict[str, list[AlsoPublished]] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class Kept:
    """What an export carries besides its articles."""

    feedback: list[FeedbackLine] = field(default_factory=list)
    abstentions: list[AbstentionLine] = field(default_factory=list)
    samples: list[SampleLine] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


def batches(lines: Iterator[Line], head: Header, size: int, kept: Kept) -> Iterator[Batch]:
    """The export's articles `size` at a time with their vectors; the other lines go to `kept`."""
    batch = Batch()
    for line in lines:
        if isinstance(line, ArticleLine):
            a = line.article
            batch.articles.append(a)
            kept.article_ids.append(a.article_id)
            batch.names[a.article_id] = [AlsoPublished(n.name, n.source_file) for n in line.also_published_as]
            batch.vectors.update({k: vector_of(v, head.dimension) for k, v in line.vectors.items()})
            if len(batch.articles) >= size:
                yield batch
                batch = Batch()
        elif isinstance(line, FeedbackLine):
            kept.feedback.append(line)
        elif isinstance(line, AbstentionLine):
            kept.abstentions.append(line)
        elif isinstance(line, SampleLine):
            kept.samples.append(line)
        else:
            raise BadExportError("An export holds one header, at its start.")
    if batch.articles:
        yield batch
