"""The index directory: one SQLite database (the truth), a FAISS file per generation, a manifest.

Each ingest batch is one SQLite transaction that also names the FAISS file written for it, so a
crash at any moment leaves the old generation or the new one. Readers work inside a read
transaction (WAL snapshot) and load the FAISS file of the generation they see.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import IndexIncompatibleError, IndexMissingError
from ..models import ArticleInfo, Source, Status, Visibility
from ..params import StoreParams, VectorParams
from ..text.terms import index_terms
from .atomic import write_bytes_atomic
from .check import consistency_problems
from .records import PreparedArticle, StoredSentence, from_blob, parse_periods, periods_json, to_blob
from .schema import DB_NAME, FORMAT_VERSION, MANIFEST_NAME, SCHEMA, update_term_counts, upgrade_from_1
from .vectors import VectorIndex

log = logging.getLogger(__name__)


def _inserted(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT gave its row."""
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("an INSERT reported no row id")
    return cursor.lastrowid


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


class Store:
    """One open index directory. Not thread-safe: the engine serialises access."""

    def __init__(
        self,
        directory: Path,
        connection: sqlite3.Connection,
        model: str,
        dimension: int,
        vector_params: VectorParams,
    ):
        self.directory = directory
        self._db = connection
        self.model = model
        self.dimension = dimension
        self.vector_params = vector_params
        self._vectors: VectorIndex | None = None
        self._vectors_generation = -1
        self._injected: VectorIndex | None = None
        self._total = (-1, 0)  # (generation, chunks)

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        directory: Path,
        model: str,
        dimension: int,
        *,
        create: bool,
        params: StoreParams = StoreParams(),
        vector_params: VectorParams = VectorParams(),
    ) -> Store:
        directory = Path(directory)
        db_path = directory / DB_NAME
        if not db_path.exists():
            if not create:
                raise IndexMissingError(
                    f"No index at {directory}: run `newsbot ingest` first (or pass --index-dir)."
                )
            directory.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(
                db_path, timeout=params.busy_timeout_s, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute(f"PRAGMA mmap_size={params.mmap_bytes}")
            connection.execute(f"PRAGMA cache_size=-{params.cache_kib}")
            connection.executescript(SCHEMA)
            store = cls(directory, connection, model, dimension, vector_params)
            store._check_or_init_meta(model, dimension)
        except sqlite3.DatabaseError as exc:
            raise IndexIncompatibleError(
                f"The index database in {directory} is damaged ({exc}); rebuild it with "
                "`newsbot ingest --rebuild`."
            ) from None
        return store

    @classmethod
    def open_existing(
        cls,
        directory: Path,
        *,
        params: StoreParams = StoreParams(),
        vector_params: VectorParams = VectorParams(),
    ) -> Store:
        """Open with the model and dimension the index was built with (for model-free reads)."""
        db_path = Path(directory) / DB_NAME
        if not db_path.exists():
            raise IndexMissingError(
                f"No index at {directory}: run `newsbot ingest` first (or pass --index-dir)."
            )
        try:
            with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as probe:
                tables = {r[0] for r in probe.execute("SELECT name FROM sqlite_master")}
                meta = dict(probe.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
            probe.close()
        except sqlite3.DatabaseError as exc:
            raise IndexIncompatibleError(
                f"The index database in {directory} is damaged ({exc}); rebuild it with "
                "`newsbot ingest --rebuild`."
            ) from None
        if "model" not in meta:
            # The first ingest stopped before it recorded its model: nothing was stored yet, and
            # opening would record an empty model that no encoder matches.
            raise IndexMissingError(
                f"No index at {directory}: run `newsbot ingest` first (or pass --index-dir)."
            )
        return cls.open(
            directory,
            meta["model"],
            int(meta["dimension"]),
            create=False,
            params=params,
            vector_params=vector_params,
        )

    def _check_or_init_meta(self, model: str, dimension: int) -> None:
        meta = self._meta()
        if not meta:
            with self.write():
                self._set_meta(
                    format_version=str(FORMAT_VERSION),
                    model=model,
                    dimension=str(dimension),
                    generation="0",
                )
            self._write_manifest()
            return
        if int(meta.get("format_version", 0)) == 1:
            self._upgrade_from_1()
        elif int(meta.get("format_version", 0)) != FORMAT_VERSION:
            raise IndexIncompatibleError(
                f"The index in {self.directory} has format {meta.get('format_version')}, this "
                f"newsbot reads format {FORMAT_VERSION}: rebuild it with `newsbot ingest --rebuild`."
            )
        if meta.get("model") != model or int(meta.get("dimension", 0)) != dimension:
            raise IndexIncompatibleError(
                f"The index in {self.directory} was built with model {meta.get('model')} "
                f"({meta.get('dimension')} dimensions) but the configured model is {model} "
                f"({dimension}): set NEWSBOT_MODEL_PATH to match, or rebuild with "
                "`newsbot ingest --rebuild`."
            )
        manifest_path = self.directory / MANIFEST_NAME
        if manifest_path.exists():
            try:
                manifest = json.loads(manifest_path.read_text())
                mismatch = manifest.get("model") != model or manifest.get("dimension") != dimension
            except (ValueError, OSError):
                mismatch = True
            if mismatch:
                log.warning("manifest in %s disagrees with the database; rewriting it", self.directory)
                self._write_manifest()

    def _upgrade_from_1(self) -> None:
        """Format 1 indexed porter stems and lacked the term counts: redo both from the chunks."""
        log.warning(
            "upgrading the index in %s to format %d (re-indexing terms)", self.directory, FORMAT_VERSION
        )
        with self.write():
            upgrade_from_1(self._db)
            self._set_meta(format_version=str(FORMAT_VERSION))
        self._write_manifest()

    def close(self) -> None:
        self._db.close()

    # ---- transactions --------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[None]:
        """One writer at a time, across processes (BEGIN IMMEDIATE takes SQLite's write lock)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            self._vectors_generation = -1  # the in-memory index may hold uncommitted changes
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one committed generation, whatever a writer does meanwhile."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def _meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta").fetchall())

    def _set_meta(self, **values: str) -> None:
        self._db.executemany(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            list(values.items()),
        )

    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    # ---- vectors -------------------------------------------------------------------------

    def _faiss_path(self, generation: int) -> Path:
        return self.directory / f"vectors-{generation:08d}.faiss"

    def use_vectors(self, index: VectorIndex | None) -> None:
        """Search `index` instead of the generation's file, for a reader only (the bench's
        exact-search baseline over the same archive); None goes back to the file."""
        self._injected = index

    def chunk_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, float32 vectors) of every chunk, in id order, as stored (float16-rounded)."""
        rows = self._db.execute("SELECT id, vector FROM chunks ORDER BY id").fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = (
            np.stack([from_blob(r[1]) for r in rows]) if rows else np.zeros((0, self.dimension), np.float32)
        )
        return ids, vectors

    def vectors(self) -> VectorIndex:
        """The FAISS index of the generation this connection sees (call inside a transaction)."""
        if self._injected is not None:
            return self._injected
        generation = self.generation()
        if self._vectors is not None and self._vectors_generation == generation:
            return self._vectors
        expected = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
        path = self._faiss_path(generation)
        index = None
        if path.exists():
            try:
                index = VectorIndex.load(path, self.dimension, self.vector_params)
            except ValueError as exc:
                log.warning("%s; rebuilding from the database", exc)
        if index is None or index.size != expected:
            if expected:
                log.warning("FAISS file for generation %d missing or stale; rebuilding", generation)
            index = self._rebuild_vectors()
        self._vectors, self._vectors_generation = index, generation
        return index

    def _rebuild_vectors(self) -> VectorIndex:
        return VectorIndex.build(self.dimension, *self.chunk_vectors(), self.vector_params)

    def _drop_old_faiss_files(self, keep: set[int]) -> None:
        for path in self.directory.glob("vectors-*.faiss"):
            match = re.fullmatch(r"vectors-(\d+)\.faiss", path.name)
            if match and int(match.group(1)) not in keep:
                path.unlink(missing_ok=True)
        for tmp in self.directory.glob(".vectors-*.tmp"):
            tmp.unlink(missing_ok=True)

    # ---- writing -------------------------------------------------------------------------

    def article_index(self) -> dict[str, tuple[int, str, str]]:
        """article_id -> (row id, content hash, source file)."""
        rows = self._db.execute("SELECT article_id, id, content_hash, source_file FROM articles")
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def _delete_article_rows(self, row_id: int) -> tuple[list[int], list[str]]:
        """Deletes an article's sentences and chunks; returns the chunks' ids and texts."""
        rows = self._db.execute("SELECT id, text FROM chunks WHERE article = ?", (row_id,)).fetchall()
        chunk_ids = [r[0] for r in rows]
        self._db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(c,) for c in chunk_ids])
        self._db.execute("DELETE FROM chunks WHERE article = ?", (row_id,))
        self._db.execute("DELETE FROM sentences WHERE article = ?", (row_id,))
        return chunk_ids, [r[1] for r in rows]

    def apply(self, upserts: Sequence[PreparedArticle], removals: Sequence[str]) -> None:
        """Replace and remove articles as one generation: all of it is committed, or none."""
        with self.write():
            generation = self.generation()
            vectors = self.vectors()
            existing = self.article_index()
            dropped: list[int] = []
            added_texts: list[str] = []
            removed_texts: list[str] = []
            new_ids: list[int] = []
            new_vectors: list[np.ndarray] = []
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            for article_id in removals:
                if article_id in existing:
                    row_id = existing[article_id][0]
                    ids, texts = self._delete_article_rows(row_id)
                    dropped += ids
                    removed_texts += texts
                    self._db.execute("DELETE FROM articles WHERE id = ?", (row_id,))
            for prepared in upserts:
                a = prepared.article
                if a.article_id in existing:
                    row_id = existing[a.article_id][0]
                    ids, texts = self._delete_article_rows(row_id)
                    dropped += ids
                    removed_texts += texts
                    self._db.execute("DELETE FROM articles WHERE id = ?", (row_id,))
                row_id = _inserted(
                    self._db.execute(
                        "INSERT INTO articles(article_id, title, url, outlet, author, published, "
                        "published_inferred, visibility, status, source, source_file, text, "
                        "content_hash, ingested_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            a.article_id,
                            a.title,
                            a.url,
                            a.outlet,
                            a.author,
                            a.published.isoformat() if a.published else None,
                            int(a.published_inferred),
                            a.visibility.value,
                            a.status.value,
                            a.source,
                            prepared.source_file,
                            a.text,
                            prepared.content_hash,
                            now,
                        ),
                    )
                )
                self._db.executemany(
                    'INSERT INTO sentences(article, position, paragraph, start, "end", boilerplate, '
                    "periods, vector) VALUES(?,?,?,?,?,?,?,?)",
                    [
                        (
                            row_id,
                            s.position,
                            s.paragraph,
                            s.start,
                            s.end,
                            int(s.boilerplate),
                            periods_json(s.periods),
                            None if s.vector is None else to_blob(s.vector),
                        )
                        for s in prepared.sentences
                    ],
                )
                for c in prepared.chunks:
                    chunk_id = _inserted(
                        self._db.execute(
                            "INSERT INTO chunks(article, position, first_sentence, last_sentence, start, "
                            '"end", text, vector) VALUES(?,?,?,?,?,?,?,?)',
                            (
                                row_id,
                                c.position,
                                c.first_sentence,
                                c.last_sentence,
                                c.start,
                                c.end,
                                c.text,
                                to_blob(c.vector),
                            ),
                        )
                    )
                    self._db.execute(
                        "INSERT INTO chunks_fts(rowid, terms) VALUES(?, ?)", (chunk_id, index_terms(c.text))
                    )
                    new_ids.append(chunk_id)
                    new_vectors.append(from_blob(to_blob(c.vector)))
                added_texts += [c.text for c in prepared.chunks]
            update_term_counts(self._db, added_texts, removed_texts)
            vectors.remove(dropped)
            vectors.add(
                np.array(new_ids, dtype=np.int64),
                np.stack(new_vectors) if new_vectors else np.zeros((0, self.dimension), np.float32),
            )
            vectors.save(self._faiss_path(generation + 1))
            self._set_meta(generation=str(generation + 1), last_ingest=now)
            self._vectors_generation = generation + 1
            # Under the write lock: another writer's file (or its temporary) cannot be mid-write.
            # Keep the previous file too: a reader may have just read the old generation number.
            self._drop_old_faiss_files(keep={generation, generation + 1})
        self._write_manifest()

    def check(self) -> list[str]:
        """What disagrees inside the committed generation; empty when the index is consistent.

        For an index no one is writing to (after a crash, in tests): a writer may drop the
        generation's FAISS file meanwhile.
        """
        with self.snapshot():
            generation = self.generation()
            return consistency_problems(
                self._db,
                self._faiss_path(generation) if generation else None,
                self.dimension,
                self.vector_params,
            )

    def _write_manifest(self) -> None:
        counts = self.counts()
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": self.model,
            "dimension": self.dimension,
            "generation": self.generation(),
            **counts,
        }
        write_bytes_atomic(self.directory / MANIFEST_NAME, json.dumps(manifest, indent=2).encode())

    def record_feedback(self, helpful: bool, user_hash: str, question: str | None) -> None:
        with self.write():
            self._db.execute(
                "INSERT INTO feedback(created, helpful, user_hash, question) VALUES(?,?,?,?)",
                (
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    int(helpful),
                    user_hash,
                    question,
                ),
            )

    # ---- reading -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        one = lambda sql: int(self._db.execute(sql).fetchone()[0])  # noqa: E731
        return {
            "articles": one("SELECT count(*) FROM articles WHERE status = 'published'"),
            "sentences": one("SELECT count(*) FROM sentences"),
            "chunks": one("SELECT count(*) FROM chunks"),
            "retracted": one("SELECT count(*) FROM articles WHERE status = 'retracted'"),
            "internal": one("SELECT count(*) FROM articles WHERE visibility = 'internal'"),
        }

    def meta(self) -> dict[str, str]:
        return self._meta()

    def feedback_counts(self) -> tuple[int, int]:
        helpful, unhelpful = self._db.execute(
            "SELECT coalesce(sum(helpful), 0), coalesce(sum(1 - helpful), 0) FROM feedback"
        ).fetchone()
        return int(helpful), int(unhelpful)

    @staticmethod
    def _visible(include_internal: bool) -> str:
        return "a.status = 'published'" + ("" if include_internal else " AND a.visibility = 'public'")

    def visible_chunks(self, chunk_ids: Sequence[int], include_internal: bool) -> set[int]:
        if not chunk_ids:
            return set()
        marks = ",".join("?" * len(chunk_ids))
        rows = self._db.execute(
            "SELECT c.id FROM chunks c INDEXED BY chunks_span "
            "JOIN articles a INDEXED BY articles_visibility ON a.id = c.article "
            f"WHERE c.id IN ({marks}) AND {self._visible(include_internal)}",
            list(chunk_ids),
        )
        return {r[0] for r in rows}

    def lexical_chunks(
        self, terms: Sequence[str], limit: int, include_internal: bool, *, overfetch: int = 4
    ) -> list[tuple[int, float]]:
        """Chunks holding any of these terms (content_terms' stems), best BM25 first; `overfetch`
        times `limit` are ranked, for hits in articles this audience may not see."""
        if not terms:
            return []
        query = " OR ".join(_fts_phrase(t) for t in terms)
        # Rank inside FTS5 alone and filter the few best: joining first makes SQLite rank and
        # join every match (seconds at 100k chunks).
        rows = self._db.execute(
            "SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
            (query, limit * overfetch),
        ).fetchall()
        visible = self.visible_chunks([r[0] for r in rows], include_internal)
        return [(r[0], -float(r[1])) for r in rows if r[0] in visible][:limit]  # bm25: lower is better

    def chunk_total(self) -> int:
        """How many chunks this generation holds; counted once per generation (a full scan)."""
        generation = self.generation()
        if self._total[0] != generation:
            self._total = (generation, int(self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]))
        return self._total[1]

    def term_chunks(self, terms: Iterable[str]) -> dict[str, int]:
        """How many chunks hold each term (content_terms' stems); 0 for a term no chunk holds."""
        wanted = sorted(set(terms))
        if not wanted:
            return {}
        found = dict(
            self._db.execute(
                f"SELECT term, chunks FROM terms WHERE term IN ({','.join('?' * len(wanted))})", wanted
            )
        )
        return {t: found.get(t, 0) for t in wanted}

    def term_idf(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency over chunks; a term no chunk holds weighs the most."""
        total = self.chunk_total()
        return {t: math.log((total + 1) / (n + 0.5)) for t, n in self.term_chunks(terms).items()}

    def chunk_sentences(self, chunk_ids: Sequence[int]) -> dict[int, list[StoredSentence]]:
        """The non-boilerplate sentences of each chunk, with their text cut from the article."""
        ids = sorted(set(chunk_ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            'SELECT c.id, c.article, s.id, s.position, s.paragraph, s.start, s."end", s.periods, '
            "s.vector FROM chunks c INDEXED BY chunks_span JOIN sentences s ON s.article = c.article "
            "AND s.position BETWEEN c.first_sentence AND c.last_sentence "
            f"WHERE c.id IN ({marks}) AND s.boilerplate = 0 ORDER BY c.id, s.position",
            ids,
        ).fetchall()
        articles = sorted({r[1] for r in rows})
        texts = (
            dict(
                self._db.execute(  # chunks of one article share its text: read it once
                    f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(articles))})", articles
                )
            )
            if articles
            else {}
        )
        out: dict[int, list[StoredSentence]] = {}
        for chunk_id, article_row, *s in rows:
            out.setdefault(chunk_id, []).append(
                StoredSentence(
                    id=s[0],
                    article_row=article_row,
                    position=s[1],
                    paragraph=s[2],
                    start=s[3],
                    end=s[4],
                    text=texts[article_row][s[3] : s[4]],
                    periods=parse_periods(s[5]),
                    vector=from_blob(s[6]),
                )
            )
        return out

    def sources(self, article_rows: Iterable[int]) -> dict[int, Source]:
        """What citations show of these articles, in one query (no counts: this is the hot path)."""
        rows = sorted(set(article_rows))
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        found = self._db.execute(
            f"SELECT id, article_id, title, url, outlet, published FROM articles WHERE id IN ({marks})",
            rows,
        )
        return {
            r[0]: Source(
                article_id=r[1],
                title=r[2],
                url=r[3],
                outlet=r[4],
                published=dt.date.fromisoformat(r[5]) if r[5] else None,
            )
            for r in found
        }

    def _infos(self, where: str, params: tuple, include_internal: bool, limit: int = 1) -> list[ArticleInfo]:
        rows = self._db.execute(
            "SELECT a.article_id, a.title, a.url, a.outlet, a.author, a.published, "
            "a.published_inferred, a.visibility, a.status, "
            "(SELECT count(*) FROM sentences s WHERE s.article = a.id), "
            "(SELECT count(*) FROM chunks c WHERE c.article = a.id) "
            f"FROM articles a WHERE {where} AND {self._visible(include_internal)} "
            "ORDER BY a.published DESC, a.title LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [
            ArticleInfo(
                article_id=r[0],
                title=r[1],
                url=r[2],
                outlet=r[3],
                author=r[4],
                published=dt.date.fromisoformat(r[5]) if r[5] else None,
                published_inferred=bool(r[6]),
                visibility=Visibility(r[7]),
                status=Status(r[8]),
                sentences=r[9],
                chunks=r[10],
            )
            for r in rows
        ]

    def find_article(self, article_id: str, include_internal: bool) -> ArticleInfo | None:
        found = self._infos("a.article_id = ?", (article_id,), include_internal)
        return found[0] if found else None

    def articles_by_title(self, fragment: str, include_internal: bool, limit: int) -> list[ArticleInfo]:
        pattern = "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self._infos("a.title LIKE ? ESCAPE '\\'", (pattern,), include_internal, limit)

    def chunk_article_rows(self, chunk_ids: Sequence[int]) -> dict[int, int]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._db.execute(
            f"SELECT id, article FROM chunks INDEXED BY chunks_span WHERE id IN ({marks})", list(chunk_ids)
        )
        return dict(rows.fetchall())
