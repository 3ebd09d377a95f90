"""Rows of the Milvus collections (index/archive/milvus/collections.py), written from prepared
articles and read back as the engine's records.

Every id is derived from what the row holds (its article's id, its version, its position), so
that writing an article again writes the same rows: an interrupted ingest reruns to the same
state. Optional texts are kept as "" (Milvus has no NULL here)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...models import Article, ArticleInfo, FigureValue, Period, Source, Status, Visibility
from ...store.records import (
    AlsoPublished,
    PreparedArticle,
    StoredArticle,
    StoredFigure,
    StoredSentence,
    also_json,
    also_names,
    from_blob,
    parse_also,
    parse_periods,
    periods_json,
    to_blob,
)
from ...text.fingerprint import text_fingerprint
from ...text.terms import index_terms
from .collections import NO_VECTOR, VARCHAR_MAX
from .expressions import day_number, outlet_key

Row = dict[str, Any]


def stable_id(*parts: object) -> int:
    """A positive 63-bit id of these parts (collisions: about one in 10^9 at 100M rows)."""
    digest = hashlib.blake2b("\0".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def article_row(article_id: str) -> int:
    return stable_id("article", article_id)


def sentence_id(row: int, version: str, position: int) -> int:
    return stable_id("sentence", row, version, position)


def fit(text: str) -> str:
    """`text` cut to what a VARCHAR holds (at a character boundary). What is quoted is never read
    cut: an outsize sentence is read from its article's text, kept in parts."""
    data = text.encode()
    return text if len(data) <= VARCHAR_MAX else data[:VARCHAR_MAX].decode(errors="ignore")


def stored_vector(vector: np.ndarray) -> list[float]:
    """A vector rounded as the embedded archive stores it (float16), so that both rank alike."""
    return from_blob(to_blob(vector)).tolist()


def _opt(value: str) -> str | None:
    return value or None


def _day(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _filterable(article: Article) -> Row:
    """What rows of an article carry of it, for the filters searches apply."""
    return {
        "status": article.status.value,
        "visibility": article.visibility.value,
        "outlet_key": fit(outlet_key(article.outlet)),
        "published_day": day_number(article.published),
    }


def parts_of(text: str, size: int) -> list[str]:
    return [text[n : n + size] for n in range(0, len(text), size)] or [""]


def article_fields(prepared: PreparedArticle, row: int, ingested_at: str, parts: int) -> Row:
    a = prepared.article
    note = prepared.note
    return {
        "row": row,
        "article_id": fit(a.article_id),
        "title": fit(a.title),
        "title_key": fit(outlet_key(a.title)),
        "url": fit(a.url or ""),
        "outlet": fit(a.outlet or ""),
        "author": fit(a.author or ""),
        "published": a.published.isoformat() if a.published else "",
        "published_inferred": a.published_inferred,
        "source": fit(a.source),
        "source_file": fit(prepared.source_file),
        "content_hash": prepared.content_hash,
        "ingested_at": ingested_at,
        "fingerprint": text_fingerprint(a.text),
        "also_published_as": fit(also_json(prepared.also_published_as)),
        "note": fit(note.text) if note else "",
        "note_updated": note.updated.isoformat() if note and note.updated else "",
        "parts": parts,
        "tokens": sum(len(index_terms(c.text).split()) for c in prepared.chunks),
        "sentences": len(prepared.sentences),
        "chunks": len(prepared.chunks),
        "_v": NO_VECTOR,
        **_filterable(a),
    }


def content_rows(
    prepared: PreparedArticle, row: int, dimension: int, part_chars: int
) -> dict[str, list[Row]]:
    """The rows of one version of an article, by collection (all but its article row)."""
    a, version = prepared.article, prepared.content_hash
    owner = {"article_row": row, "version": version}
    texts = [
        {"id": stable_id("text", row, version, n), **owner, "part": n, "text": part, "_v": NO_VECTOR}
        for n, part in enumerate(parts_of(a.text, part_chars))
    ]
    zeros = [0.0] * dimension
    sentences = [
        {
            "id": sentence_id(row, version, s.position),
            **owner,
            "position": s.position,
            "paragraph": s.paragraph,
            "start": s.start,
            "end": s.end,
            "boilerplate": s.boilerplate,
            "embedded": s.vector is not None,
            "periods": fit(periods_json(s.periods)),
            "text": fit(a.text[s.start : s.end]),
            "cut": len(a.text[s.start : s.end].encode()) > VARCHAR_MAX,  # read from the article's text
            "vector": stored_vector(s.vector) if s.vector is not None else zeros,
        }
        for s in prepared.sentences
    ]
    figures = (
        []
        if a.status is Status.RETRACTED  # never cited: its figures are no record
        else [
            {
                "id": stable_id("figure", row, version, s.position, n),
                **owner,
                "sentence_id": sentence_id(row, version, s.position),
                "start": f.start,
                "end": f.end,
                "value": f.value.model_dump_json(),
                "thing": fit(f.thing or ""),
                "part_of_previous": f.part_of_previous,
                "place": fit(f.place or ""),
                "period": f.period.model_dump_json() if f.period else "",
                "attributed_to": fit(f.attributed_to or ""),
                "_v": NO_VECTOR,
            }
            for s in prepared.sentences
            for n, f in enumerate(s.figures)
        ]
    )
    chunks = [
        {
            "id": stable_id("chunk", row, version, c.position),
            **owner,
            "position": c.position,
            "first_sentence": c.first_sentence,
            "last_sentence": c.last_sentence,
            "start": c.start,
            "end": c.end,
            "text": fit(c.text),
            "terms": fit(index_terms(c.text)),
            "dense": stored_vector(c.vector),
            **_filterable(a),
        }
        for c in prepared.chunks
    ]
    return {"texts": texts, "sentences": sentences, "figures": figures, "chunks": chunks}


def with_names(fields: Row, names: Sequence[AlsoPublished]) -> Row:
    return {**fields, "also_published_as": fit(also_json(names))}


# ---- reading ------------------------------------------------------------------------------


def stored_article(r: Row) -> StoredArticle:
    return StoredArticle(
        row=r["row"],
        content_hash=r["content_hash"],
        source=r["source"],
        source_file=r["source_file"],
        fingerprint=r["fingerprint"],
        also_published_as=parse_also(r["also_published_as"]),
    )


def source(r: Row) -> Source:
    return Source(
        article_id=r["article_id"],
        title=r["title"],
        url=_opt(r["url"]),
        outlet=_opt(r["outlet"]),
        published=_day(r["published"]),
        also_published_as=also_names(r["also_published_as"]),
        retracted_on=(
            dt.datetime.fromisoformat(r["ingested_at"]).date() if r["status"] == Status.RETRACTED else None
        ),
        note=_opt(r["note"]),
        updated=_day(r["note_updated"]),
    )


def _described(r: Row) -> dict[str, Any]:
    """What an article row says of its article besides its text and counts."""
    return {
        "article_id": r["article_id"],
        "title": r["title"],
        "url": _opt(r["url"]),
        "outlet": _opt(r["outlet"]),
        "author": _opt(r["author"]),
        "published": _day(r["published"]),
        "published_inferred": r["published_inferred"],
        "visibility": Visibility(r["visibility"]),
        "status": Status(r["status"]),
    }


def info(r: Row) -> ArticleInfo:
    return ArticleInfo(
        **_described(r),
        sentences=r["sentences"],
        chunks=r["chunks"],
        also_published_as=also_names(r["also_published_as"]),
    )


def article(r: Row, text: str) -> Article:
    return Article(**_described(r), text=text, source=r["source"])


def sentence(r: Row) -> StoredSentence:
    return StoredSentence(
        id=r["id"],
        article_row=r["article_row"],
        position=r["position"],
        paragraph=r["paragraph"],
        start=r["start"],
        end=r["end"],
        text=r["text"],
        periods=parse_periods(r["periods"]),
        vector=np.asarray(r["vector"], dtype=np.float32),
    )


def figure(r: Row, of: StoredSentence) -> StoredFigure:
    return StoredFigure(
        article_row=r["article_row"],
        sentence_id=r["sentence_id"],
        position=of.position,
        sentence=of.text,
        sentence_start=of.start,
        sentence_end=of.end,
        start=r["start"],
        end=r["end"],
        value=FigureValue.model_validate_json(r["value"]),
        thing=_opt(r["thing"]),
        part_of_previous=r["part_of_previous"],
        place=_opt(r["place"]),
        period=Period.model_validate_json(r["period"]) if r["period"] else None,
        attributed_to=_opt(r["attributed_to"]),
    )


def joined(parts: Mapping[int, str]) -> str:
    return "".join(parts[n] for n in sorted(parts))
