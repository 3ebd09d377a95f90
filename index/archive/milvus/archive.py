"""The archive in Milvus, through pymilvus: the same calls as the embedded store
(index/archive/protocol.py), for any number of bot processes on one archive.

Writes. A batch's rows (text parts, sentences, figures, chunks) are written first under each
article's version (content hash), then the rows of the versions they replace go, then its
article rows, which make the new versions the ones readers take. Readers take a chunk only
when its article row names its version, so a question never sees half an article (one being
replaced is absent for that moment), and a write killed at any moment leaves rows no reader
takes, which the rerun, writing the same ids, replaces. A removal deletes the chunks first (no
search finds the article any more) and the article row last (the rerun finds it still stored).
One ingesting process at a time (nothing here locks across processes; two writers of one
article can leave it without rows).

Reads see each article as its last write left it: Milvus has no transactions, so unlike the
embedded archive a question asked during an ingest may see some of a batch's articles new and
others not yet.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from pymilvus import MilvusClient
from pymilvus.exceptions import MilvusException

from ...errors import IndexIncompatibleError, IndexMissingError, UserError
from ...feeds.records import FeedState, PageState
from ...models import ArticleFilter, ArticleInfo, Source
from ...params import RemoteParams, RetrievalParams, VectorParams
from ...store.records import (
    IN_CHUNK,
    SENTENCE_VECTORS,
    AlsoPublished,
    PreparedArticle,
    StoredArticle,
    StoredCopy,
    StoredFigure,
    StoredSentence,
    parse_also,
    to_blob,
)
from ..fusion import bm25, idf, rare_terms, rrf_fuse
from ..location import RemoteLocation
from ..protocol import AbstentionRow, FeedbackRow
from . import rows
from .collections import NO_VECTOR, create_missing, drop_all, load_all
from .expressions import audience, filtered, ids_in, like_contains, outlet_key, quoted

log = logging.getLogger(__name__)


class _ScanAtClientTime(logging.Filter):
    """milvus-lite's server gives scans no MVCC timestamp, and pymilvus warns at every scan that
    it reads as of the client's clock instead: what a scan here wants, so not worth a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "mvccTs" not in record.getMessage()


logging.getLogger("pymilvus.client.iterator.query_iterator").addFilter(_ScanAtClientTime())

FORMAT_VERSION = 1  # of the collections' layout
CONTENT = ("texts", "sentences", "figures", "chunks")  # an article's rows besides its own
_ITERATOR_BATCH = 1000
_ARTICLE_FIELDS = ["row", "content_hash", "status", "visibility"]


class ArchiveUnreachableError(UserError):
    """The Milvus server cannot be reached or refused the credentials."""


def _unreachable(location: RemoteLocation, exc: Exception) -> ArchiveUnreachableError:
    # Only the address: the message must carry no credential.
    return ArchiveUnreachableError(
        f"Cannot use the archive at {location.shown}: {getattr(exc, 'message', None) or type(exc).__name__}. "
        "Check NEWSBOT_ARCHIVE_URL, NEWSBOT_ARCHIVE_TOKEN and that the server runs."
    )


def _new_id() -> int:
    """Ids of feedback and abstention rows: time-ordered (microseconds), with random low bits so
    that two processes never collide."""
    return (time.time_ns() // 1000) << 10 | secrets.randbits(10)


class MilvusArchive:
    """One connection (pymilvus client) to an archive kept in the collections `<prefix>_*`."""

    def __init__(
        self,
        client: MilvusClient,
        location: RemoteLocation,
        token: str,
        prefix: str,
        model: str,
        dimension: int,
        uploads: Path,
        params: RemoteParams,
        vector_params: VectorParams,
    ):
        self._client = client
        self._where = location
        self._token = token
        self.prefix = prefix
        self.model = model
        self.dimension = dimension
        self._uploads = uploads
        self.params = params
        self.vector_params = vector_params
        self._seen: int | None = None  # the generation a snapshot read, while it lasts
        self._cached: dict[tuple[Any, ...], Any] = {}  # by generation (term counts, outlets, totals)

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def connect(
        cls,
        location: RemoteLocation,
        *,
        token: str,
        prefix: str,
        model: str | None,
        dimension: int | None,
        create: bool,
        uploads: Path,
        params: RemoteParams = RemoteParams(),
        vector_params: VectorParams = VectorParams(),
    ) -> MilvusArchive:
        """The archive `prefix` at `location`, for this model (None: the archive's own, for
        reads that need none). With `create`, a new archive is made when there is none."""
        try:
            client = MilvusClient(uri=location.uri, token=token, timeout=params.timeout_s)
        except MilvusException as exc:
            raise _unreachable(location, exc) from exc
        try:
            load_all(client, prefix)  # what a restarted server holds released
            stored = _meta(client, f"{prefix}_meta") if client.has_collection(f"{prefix}_meta") else {}
            if "generation" not in stored:  # none yet, or its creation was cut short: made whole
                if not create or model is None or dimension is None:
                    raise IndexMissingError(
                        f"No archive {prefix!r} at {location.shown}: run `newsbot ingest` first."
                    )
                create_missing(client, prefix, dimension, params)
                archive = cls(
                    client, location, token, prefix, model, dimension, uploads, params, vector_params
                )
                archive._set_meta(
                    format_version=str(FORMAT_VERSION),
                    model=model,
                    dimension=str(dimension),
                    **{SENTENCE_VECTORS: IN_CHUNK},
                )
                archive._set_meta(generation="0")  # last: an archive with a generation is whole
                return archive
            archive = cls(
                client,
                location,
                token,
                prefix,
                stored["model"],
                int(stored["dimension"]),
                uploads,
                params,
                vector_params,
            )
            archive._check(stored, model, dimension)
            return archive
        except MilvusException as exc:
            client.close()
            raise _unreachable(location, exc) from exc
        except BaseException:
            client.close()
            raise

    def _check(self, stored: Mapping[str, str], model: str | None, dimension: int | None) -> None:
        if stored.get("format_version") != str(FORMAT_VERSION):
            raise IndexIncompatibleError(
                f"The archive {self.prefix!r} at {self._where.shown} has layout "
                f"{stored.get('format_version')}; this newsbot reads layout {FORMAT_VERSION}."
            )
        if model is not None and (stored.get("model"), stored.get("dimension")) != (model, str(dimension)):
            raise IndexIncompatibleError(
                f"The archive {self.prefix!r} at {self._where.shown} holds vectors of "
                f"{stored.get('model')} ({stored.get('dimension')} dimensions), not {model}: "
                "use that model, or another NEWSBOT_ARCHIVE_COLLECTIONS for this one."
            )

    @property
    def location(self) -> str:
        return f"{self._where.shown} ({self.prefix}_*)"

    @property
    def uploads(self) -> Path:
        return self._uploads

    def current(self) -> MilvusArchive:
        return self  # nothing goes stale: every process reads the same collections

    def reopened(self) -> MilvusArchive:
        return MilvusArchive.connect(
            self._where,
            token=self._token,
            prefix=self.prefix,
            model=self.model,
            dimension=self.dimension,
            create=False,
            uploads=self._uploads,
            params=self.params,
            vector_params=self.vector_params,
        )

    def close(self) -> None:
        self._client.close()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """The generation is read once for the calls inside (caches are keyed by it); the rows
        themselves are read as they are (see the module's docstring)."""
        self._seen = self._generation()
        try:
            yield
        finally:
            self._seen = None

    def _name(self, kind: str) -> str:
        return f"{self.prefix}_{kind}"

    def _generation(self) -> int:
        found = self._client.get(self._name("meta"), ids=["generation"], output_fields=["value"])
        return int(found[0]["value"]) if found else 0

    def generation(self) -> int:
        return self._seen if self._seen is not None else self._generation()

    def _cache(self, key: tuple[Any, ...], make: Any) -> Any:
        """`make()` once per generation."""
        generation = self.generation()
        full = (generation, *key)
        if full not in self._cached:
            self._cached = {k: v for k, v in self._cached.items() if k[0] == generation}
            self._cached[full] = make()
        return self._cached[full]

    # ---- low-level reads -----------------------------------------------------------------

    def _get(self, kind: str, ids: Iterable[int], fields: Sequence[str]) -> list[dict[str, Any]]:
        wanted = sorted(set(ids))
        found: list[dict[str, Any]] = []
        step = self.params.read_batch
        for start in range(0, len(wanted), step):
            found += self._client.get(
                self._name(kind), ids=wanted[start : start + step], output_fields=list(fields)
            )
        return found

    def _query(
        self, kind: str, where: str, fields: Sequence[str], limit: int | None = None
    ) -> list[dict[str, Any]]:
        if limit is not None:
            return list(
                self._client.query(self._name(kind), filter=where, output_fields=list(fields), limit=limit)
            )
        return list(self._iterate(kind, where, fields))

    def _iterate(self, kind: str, where: str, fields: Sequence[str]) -> Iterator[dict[str, Any]]:
        batches = self._client.query_iterator(
            self._name(kind), batch_size=_ITERATOR_BATCH, filter=where, output_fields=list(fields)
        )
        try:
            while batch := batches.next():
                yield from batch
        finally:
            batches.close()

    def _count(self, kind: str, where: str = "") -> int:
        found = self._client.query(self._name(kind), filter=where, output_fields=["count(*)"])
        return int(found[0]["count(*)"])

    def _meta(self) -> dict[str, str]:
        return _meta(self._client, self._name("meta"))

    def _set_meta(self, **values: str) -> None:
        self._client.upsert(
            self._name("meta"), [{"key": k, "value": rows.fit(v), "_v": NO_VECTOR} for k, v in values.items()]
        )

    def _taken(self, found: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Those of these rows (each with article_row and version) of the version their article
        row names: the rows readers may take."""
        rows_ = {r["article_row"] for r in found}
        current = {a["row"]: a["content_hash"] for a in self._get("articles", rows_, ["row", "content_hash"])}
        return [r for r in found if current.get(r["article_row"]) == r["version"]]

    # ---- writing -------------------------------------------------------------------------

    def article_index(self) -> dict[str, StoredArticle]:
        fields = [
            "row",
            "article_id",
            "content_hash",
            "source",
            "source_file",
            "fingerprint",
            "also_published_as",
        ]
        return {r["article_id"]: rows.stored_article(r) for r in self._iterate("articles", "", fields)}

    def apply(
        self,
        upserts: Sequence[PreparedArticle],
        removals: Sequence[str],
        also: Mapping[str, Sequence[AlsoPublished]] | None = None,
    ) -> None:
        """The batch's rows first, then those of the versions they replace, then its article rows
        (which make the new versions the ones read); a removal's rows go before its article row.
        One request per collection and step, not per article."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        gone = [rows.article_row(a) for a in removals]
        # Its chunks first, so that no search finds it, its article row last, so that a write
        # killed meanwhile leaves the removal to the rerun, which finds the article still stored.
        self._in_steps(gone, lambda part: self._delete_content(ids_in("article_row", part)))
        self._in_steps(gone, lambda part: self._client.delete(self._name("articles"), ids=part))
        owners = [(rows.article_row(p.article.article_id), p) for p in upserts]
        stored = {
            r["row"]: r["content_hash"]
            for r in self._get("articles", [r for r, _ in owners], _ARTICLE_FIELDS)
        }
        content = [
            rows.content_rows(p, row, self.dimension, self.params.text_part_chars) for row, p in owners
        ]
        for kind in CONTENT:
            self._replace(kind, [r for c in content for r in c[kind]])
        # The versions replaced go before the switch (meanwhile the article is absent, never
        # half there; a write killed then leaves it to the rerun, which finds it changed). Only
        # articles stored under another version have such rows: scanning for those of every
        # article halved what an ingest stores a second. Rows an interrupted write left of a
        # text changed before the rerun stay, unread, until the article next changes or goes.
        replaced = [(row, p) for row, p in owners if stored.get(row, p.content_hash) != p.content_hash]
        self._in_steps(replaced, lambda part: self._delete_content(_other_versions(part)))
        self._upsert(
            "articles",
            [
                rows.article_fields(p, row, now, len(c["texts"]))
                for (row, p), c in zip(owners, content, strict=True)
            ],
        )
        if also:
            renamed = self._get("articles", [rows.article_row(a) for a in also], ["*"])
            by_id = {r["article_id"]: r for r in renamed}
            self._upsert(
                "articles", [rows.with_names(by_id[a], names) for a, names in also.items() if a in by_id]
            )
        self._set_meta(generation=str(self._generation() + 1), last_ingest=now)

    def _in_steps(self, items: Sequence[Any], do: Callable[[Sequence[Any]], object]) -> None:
        step = self.params.read_batch
        for start in range(0, len(items), step):
            do(items[start : start + step])

    def _upsert(self, kind: str, found: Sequence[dict[str, Any]]) -> None:
        self._in_steps(found, lambda part: self._client.upsert(self._name(kind), list(part)))

    def _replace(self, kind: str, found: Sequence[dict[str, Any]]) -> None:
        """Whole rows written over any of the same ids: what an upsert does, as a delete then an
        insert, which no server needs to read the old rows for (milvus-lite's upsert reads each
        one, and slows as the collection grows). Only for rows no reader takes yet: between the
        two, the rows are absent."""

        def write(part: Sequence[dict[str, Any]]) -> None:
            self._client.delete(self._name(kind), ids=[r["id"] for r in part])
            self._client.insert(self._name(kind), list(part))

        self._in_steps(found, write)

    def _delete_content(self, where: str) -> None:
        for kind in reversed(CONTENT):  # chunks first: what searches find goes first
            self._client.delete(self._name(kind), filter=where)

    def save_files(self) -> None:
        """Counts the full-text tokens of the articles stored (what ranking needs; exact whatever
        an ingest killed midway left), and seals what the ingest wrote, so that the server
        indexes it rather than scanning it."""
        tokens = sum(r["tokens"] for r in self._iterate("articles", "", ["tokens"]))
        self._set_meta(tokens=str(tokens), generation=str(self._generation() + 1))
        for kind in (*CONTENT, "articles"):
            self._client.flush(self._name(kind))

    # ---- answering -----------------------------------------------------------------------

    def hybrid(
        self,
        query_vector: np.ndarray,
        terms: Sequence[str],
        params: RetrievalParams,
        *,
        include_internal: bool,
        top: int | None = None,
        retracted: bool = False,
        filters: ArticleFilter | None = None,
    ) -> list[tuple[int, float]]:
        """Both searches filtered by the server (audience and filters are fields of each chunk);
        ranked by the server, fused here by the same function as the embedded archive's."""
        where = audience(include_internal, retracted) + filtered(filters)
        fetch = params.depth + self.params.orphans
        fields = ["article_row", "version"]
        ef = self._breadth(fetch)
        dense = self._client.search(
            self._name("chunks"),
            data=[np.asarray(query_vector, dtype=np.float32).tolist()],
            anns_field="dense",
            limit=fetch,
            filter=where,
            output_fields=fields,
            search_params={"metric_type": "IP", "params": {"ef": ef}},
        )[0]
        holding = self.term_chunks(terms)
        lexical_query = rare_terms(terms, holding, params.lexical_postings)
        lexical = (
            self._client.search(
                self._name("chunks"),
                data=[" ".join(lexical_query)],
                anns_field="sparse",
                limit=params.depth * params.lexical_overfetch + self.params.orphans,
                filter=where,
                output_fields=[*fields, "terms"],
                search_params={"metric_type": "BM25"},
            )[0]
            if lexical_query
            else []
        )
        # The server finds the chunks; they are ranked as the embedded archive's FTS5 ranks
        # them (its IDF differs from Milvus's), so that both archives answer alike.
        chunks, length = self.vector_count(), self._average_length()
        lexical = sorted(
            lexical,
            key=lambda h: -bm25(h["entity"]["terms"].split(), lexical_query, holding, chunks, length),
        )
        hits = [{"id": h["id"], **h["entity"]} for h in [*dense, *lexical]]
        taken = {r["id"] for r in self._taken(hits)}
        rankings = [
            [h["id"] for h in found if h["id"] in taken][: params.depth] for found in (dense, lexical)
        ]
        return rrf_fuse(rankings, params.rrf_k)[: top or params.top]

    def _average_length(self) -> float:
        """Full-text tokens per chunk over the archive (counted by each ingest, in meta)."""
        meta = self._cache(("meta",), self._meta)
        chunks = self.vector_count()
        return float(meta.get("tokens", 0)) / chunks if chunks else 0.0

    def term_chunks(self, terms: Iterable[str]) -> dict[str, int]:
        """How many chunks hold each term (content_terms' stems)."""
        return {
            t: self._cache(("term", t), lambda t=t: self._count("chunks", f"TEXT_MATCH(terms, {quoted(t)})"))
            for t in sorted(set(terms))
        }

    def term_idf(self, terms: Sequence[str]) -> dict[str, float]:
        total = self.vector_count()
        return {t: idf(total, n) for t, n in self.term_chunks(terms).items()}

    def vector_count(self) -> int:
        return int(self._cache(("chunks",), lambda: self._count("chunks")))

    def _breadth(self, fetch: int) -> int:
        """HNSW's search breadth (ef) for `fetch` hits: where the embedded archive searches
        exactly, a breadth of the whole archive makes HNSW's search all but exact too; beyond,
        the embedded archive's breadths."""
        size = self.vector_count()
        return max(size if size <= self.vector_params.flat_max else self.vector_params.ef_for(size), fetch)

    # ---- the vector search alone (newsbot bench: recall against exact search) ------------

    def nearest(self, query_vectors: np.ndarray, k: int) -> list[list[int]]:
        """The ids of each query's `k` nearest chunk rows by the server's dense index, with no
        filter and the breadth `hybrid` searches with."""
        ef = self._breadth(k)
        found = self._client.search(
            self._name("chunks"),
            data=np.asarray(query_vectors, dtype=np.float32).tolist(),
            anns_field="dense",
            limit=k,
            search_params={"metric_type": "IP", "params": {"ef": ef}},
        )
        return [[int(h["id"]) for h in hits] for hits in found]

    def chunk_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float32 vectors) of every chunk row the server holds, in id order."""
        ids: list[int] = []
        vectors: list[np.ndarray] = []
        for r in self._iterate("chunks", "", ["id", "dense"]):
            ids.append(int(r["id"]))
            vectors.append(np.asarray(r["dense"], dtype=np.float32))
        if not ids:
            return np.zeros(0, np.int64), np.zeros((0, self.dimension), np.float32)
        order = np.argsort(np.array(ids, dtype=np.int64), kind="stable")
        return np.array(ids, dtype=np.int64)[order], np.stack(vectors)[order]

    def drop(self) -> None:
        """Removes the archive: every one of its collections (newsbot bench's own archives)."""
        drop_all(self._client, self.prefix)

    def _chunks(self, chunk_ids: Sequence[int]) -> list[dict[str, Any]]:
        fields = ["id", "article_row", "version", "first_sentence", "last_sentence"]
        return self._taken(self._get("chunks", chunk_ids, fields))

    def _sentences(self, chunks: Sequence[dict[str, Any]]) -> dict[int, StoredSentence]:
        """The non-boilerplate sentences of these chunks, by id, their texts whole."""
        ids = {
            rows.sentence_id(c["article_row"], c["version"], p)
            for c in chunks
            for p in range(c["first_sentence"], c["last_sentence"] + 1)
        }
        fields = ["id", "article_row", "version", "position", "paragraph", "start", "end", "periods",
                  "text", "cut", "vector", "boilerplate"]  # fmt: skip
        found = [r for r in self._get("sentences", ids, fields) if not r["boilerplate"]]
        long = [r for r in found if r["cut"]]
        if long:
            texts = self._texts({(r["article_row"], r["version"]) for r in long})
            for r in long:
                r["text"] = texts[r["article_row"]][r["start"] : r["end"]]
        return {r["id"]: rows.sentence(r) for r in found}

    def _texts(self, owners: Iterable[tuple[int, str]]) -> dict[int, str]:
        """The whole texts of these versions of articles, by article row."""
        wanted = dict(owners)
        parts: dict[int, dict[int, str]] = {}
        for r in self._query(
            "texts", ids_in("article_row", wanted), ["article_row", "version", "part", "text"]
        ):
            if wanted.get(r["article_row"]) == r["version"]:
                parts.setdefault(r["article_row"], {})[r["part"]] = r["text"]
        return {row: rows.joined(p) for row, p in parts.items()}

    def chunk_sentences(self, chunk_ids: Sequence[int]) -> dict[int, list[StoredSentence]]:
        chunks = self._chunks(chunk_ids)
        sentences = self._sentences(chunks)
        out: dict[int, list[StoredSentence]] = {}
        for c in sorted(chunks, key=lambda c: c["id"]):
            for p in range(c["first_sentence"], c["last_sentence"] + 1):
                s = sentences.get(rows.sentence_id(c["article_row"], c["version"], p))
                if s is not None:
                    out.setdefault(c["id"], []).append(s)
        return out

    def chunk_article_rows(self, chunk_ids: Sequence[int]) -> dict[int, int]:
        return {c["id"]: c["article_row"] for c in self._chunks(chunk_ids)}

    def chunk_figures(self, chunk_ids: Sequence[int], include_internal: bool) -> list[StoredFigure]:
        chunks = self._chunks(chunk_ids)
        seen = self._get("articles", {c["article_row"] for c in chunks}, _ARTICLE_FIELDS)
        may = {
            r["row"]
            for r in seen
            if r["status"] == "published" and (include_internal or r["visibility"] == "public")
        }
        sentences = self._sentences([c for c in chunks if c["article_row"] in may])
        if not sentences:
            return []
        fields = ["id", "article_row", "sentence_id", "start", "end", "value", "thing", "part_of_previous",
                  "place", "period", "attributed_to"]  # fmt: skip
        found = self._query("figures", ids_in("sentence_id", sentences), fields)
        figures = [rows.figure(r, sentences[r["sentence_id"]]) for r in found]
        # In the order the embedded archive keeps them: by article as stored, then as written.
        return sorted(figures, key=lambda f: (f.article_row, f.position, f.start))

    def sources(self, article_rows: Iterable[int]) -> dict[int, Source]:
        return {r["row"]: rows.source(r) for r in self._get("articles", article_rows, ["*"])}

    def has_retracted(self) -> bool:
        return bool(
            self._cache(("retracted",), lambda: self._query("articles", 'status == "retracted"', ["row"], 1))
        )

    def outlets(self, include_internal: bool) -> list[str]:
        def listed() -> list[str]:
            names: dict[str, str] = {}
            for r in self._iterate("articles", audience(include_internal), ["outlet"]):
                outlet = r["outlet"].strip(" ")
                if outlet:
                    key = outlet_key(outlet)
                    names[key] = min(names.get(key, outlet), outlet)
            return [names[k] for k in sorted(names)]

        return list(self._cache(("outlets", include_internal), listed))

    def outlet_named(self, name: str, include_internal: bool) -> str | None:
        key = outlet_key(name)
        return next((o for o in self.outlets(include_internal) if outlet_key(o) == key), None)

    def _infos(self, where: str, include_internal: bool, limit: int) -> list[ArticleInfo]:
        found = self._query("articles", f"{audience(include_internal)} and {where}", ["*"])
        # As the embedded archive orders them: newest first, undated last, then by title.
        found.sort(key=lambda r: r["title"])
        found.sort(key=lambda r: r["published"], reverse=True)
        return [rows.info(r) for r in found[:limit]]

    def find_article(self, article_id: str, include_internal: bool) -> ArticleInfo | None:
        found = self._infos(f"article_id == {quoted(article_id)}", include_internal, 1)
        return found[0] if found else None

    def articles_by_title(self, fragment: str, include_internal: bool, limit: int) -> list[ArticleInfo]:
        return self._infos(f"title_key like {like_contains(outlet_key(fragment))}", include_internal, limit)

    # ---- what the archive keeps besides articles -----------------------------------------

    def counts(self) -> dict[str, int]:
        return {
            "articles": self._count("articles", 'status == "published"'),
            "sentences": self._count("sentences"),
            "chunks": self._count("chunks"),
            "retracted": self._count("articles", 'status == "retracted"'),
            "internal": self._count("articles", 'visibility == "internal"'),
        }

    def meta(self) -> dict[str, str]:
        return self._meta()

    def record_feedback(self, helpful: bool, user_hash: str, question: str | None) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.add_feedback([(now, int(helpful), user_hash, question)])

    def add_feedback(self, rows_: Sequence[FeedbackRow]) -> None:
        self._client.insert(
            self._name("feedback"),
            [
                {
                    "id": _new_id(),
                    "created": created,
                    "helpful": bool(helpful),
                    "user_hash": user_hash,
                    "question": rows.fit(question or ""),
                    "asked": question is not None,
                    "_v": NO_VECTOR,
                }
                for created, helpful, user_hash, question in rows_
            ],
        )

    def _feedback_rows(self, where: str = "") -> list[dict[str, Any]]:
        found = self._query("feedback", where, ["id", "created", "helpful", "user_hash", "question", "asked"])
        return sorted(found, key=lambda r: (r["created"], r["id"]))

    def feedback(self) -> list[FeedbackRow]:
        return [
            (r["created"], int(r["helpful"]), r["user_hash"], r["question"] if r["asked"] else None)
            for r in self._feedback_rows()
        ]

    def feedback_counts(self) -> tuple[int, int]:
        return self._count("feedback", "helpful == true"), self._count("feedback", "helpful == false")

    def add_abstentions(self, rows_: Sequence[AbstentionRow]) -> None:
        self._client.insert(
            self._name("abstentions"),
            [
                {
                    "id": _new_id(),
                    "created": created,
                    "user_hash": user_hash,
                    "question": rows.fit(question),
                    "_v": NO_VECTOR,
                }
                for created, user_hash, question in rows_
            ],
        )

    def _abstention_rows(self) -> list[dict[str, Any]]:
        found = self._query("abstentions", "", ["id", "created", "user_hash", "question"])
        return sorted(found, key=lambda r: (r["created"], r["id"]))

    def abstentions(self) -> list[AbstentionRow]:
        return [(r["created"], r["user_hash"], r["question"]) for r in self._abstention_rows()]

    def unanswered(self, limit: int) -> list[str]:
        asked = [(r["created"], r["question"]) for r in self._abstention_rows()]
        asked += [
            (r["created"], r["question"]) for r in self._feedback_rows("helpful == false and asked == true")
        ]
        return [q for _, q in sorted(asked, key=lambda pair: pair[0], reverse=True)[:limit]]

    def feed_state(self) -> tuple[dict[str, FeedState], dict[str, PageState]]:
        feeds: dict[str, FeedState] = {}
        pages: dict[str, PageState] = {}
        for r in self._iterate("state", "", ["key", "state"]):
            kind, url = r["key"].split(" ", 1)
            if kind == "feed":
                feeds[url] = FeedState.model_validate_json(r["state"])
            else:
                pages[url] = PageState.model_validate_json(r["state"])
        return feeds, pages

    def save_feed_state(self, feeds: Sequence[FeedState], pages: Sequence[PageState], summary: str) -> None:
        states = [(f"feed {f.url}", f.model_dump_json()) for f in feeds]
        states += [(f"page {p.url}", p.model_dump_json()) for p in pages]
        self._upsert(
            "state", [{"key": rows.fit(k), "state": rows.fit(v), "_v": NO_VECTOR} for k, v in states]
        )
        self._set_meta(
            last_refresh=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), last_refresh_summary=summary
        )

    # ---- moving an archive ---------------------------------------------------------------

    def copies(self) -> Iterator[StoredCopy]:
        for r in self._iterate("articles", "", ["*"]):
            owner = (r["row"], r["content_hash"])
            text = self._texts([owner]).get(r["row"], "")
            where = f"article_row == {r['row']} and version == {quoted(r['content_hash'])}"
            sentences = sorted(
                self._query(
                    "sentences", f"{where} and embedded == true", ["position", "start", "end", "vector"]
                ),
                key=lambda s: s["position"],
            )
            chunks = sorted(
                self._query("chunks", where, ["position", "text", "dense"]), key=lambda c: c["position"]
            )
            embedded = [(text[s["start"] : s["end"]], to_blob(np.asarray(s["vector"]))) for s in sentences]
            embedded += [(c["text"], to_blob(np.asarray(c["dense"]))) for c in chunks]
            yield StoredCopy(rows.article(r, text), parse_also(r["also_published_as"]), embedded)

    def copied(self, article_ids: Sequence[str]) -> tuple[int, int, int]:
        found = self._get("articles", [rows.article_row(a) for a in article_ids], ["sentences", "chunks"])
        return len(found), sum(r["sentences"] for r in found), sum(r["chunks"] for r in found)


def _other_versions(owners: Sequence[tuple[int, PreparedArticle]]) -> str:
    """The rows of these articles of versions other than the ones just written (a content hash
    is one text's: no other article's version can be among them)."""
    versions = ", ".join(quoted(p.content_hash) for _, p in owners)
    return f"{ids_in('article_row', [row for row, _ in owners])} and version not in [{versions}]"


def _meta(client: MilvusClient, name: str) -> dict[str, str]:
    return {
        r["key"]: r["value"]
        for r in client.query(name, filter="", output_fields=["key", "value"], limit=1000)
    }
