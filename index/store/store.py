"""One build of the index (index/store/builds.py): its SQLite database (the truth), its vector
files and its manifest.

Each ingest batch is one SQLite transaction, so a crash at any moment leaves the old generation
or the new one. The vector file is written once per ingest (`save_files`); until then, and after
a crash, the newest file plus the changes the database logged since are the generation's vectors
(index/store/vector_files.py). Readers work inside a read transaction (WAL snapshot) and search
the vectors of the generation they see.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..archive.fusion import idf
from ..archive.protocol import AbstentionRow, FeedbackRow
from ..errors import IndexIncompatibleError, IndexMissingError, IndexReadOnlyError
from ..feeds.records import FeedState, PageState
from ..models import Article, ArticleFilter, ArticleInfo, FigureValue, Period, Source, Status, Visibility
from ..params import RetrievalParams, StoreParams, VectorParams
from ..text.corrections import Note
from ..text.fingerprint import text_fingerprint
from ..text.terms import index_terms
from . import feed_state
from .atomic import write_bytes_atomic
from .builds import BuildRetired, IndexFolder, hold, missing_index, release
from .check import consistency_problems
from .connection import connect, wal_path
from .diagnose import damaged, diagnosed
from .hybrid import hybrid
from .records import (
    FIGURE_INSERT,
    IN_CHUNK,
    SENTENCE_VECTORS,
    AlsoPublished,
    PreparedArticle,
    StoredArticle,
    StoredCopy,
    StoredFigure,
    StoredSentence,
    also_json,
    also_names,
    figure_row,
    from_blob,
    parse_also,
    parse_periods,
    periods_json,
    to_blob,
)
from .schema import (
    DB_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    SCHEMA,
    update_term_counts,
    upgrade_from_1,
    upgrade_from_2,
    upgrade_from_4,
)
from .space import ensure_room
from .vector_files import changes_since, keep_newest, newest_saved, vector_path
from .vectors import VectorIndex

log = logging.getLogger(__name__)


def _inserted(cursor: sqlite3.Cursor) -> int:
    """The rowid an INSERT gave its row."""
    if cursor.lastrowid is None:
        raise sqlite3.DatabaseError("an INSERT reported no row id")
    return cursor.lastrowid


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _read_meta(db: sqlite3.Connection) -> dict[str, str]:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    return dict(db.execute("SELECT key, value FROM meta")) if "meta" in tables else {}


class Store:
    """One open build of an index folder. Not thread-safe: the engine serialises access."""

    def __init__(
        self,
        folder: IndexFolder,
        build: Path,
        connection: sqlite3.Connection,
        model: str,
        dimension: int,
        params: StoreParams,
        vector_params: VectorParams,
        *,
        held: int | None,
        pinned: bool,
        immutable: bool,
    ):
        self.directory = folder.root  # the index folder, as given
        self.build = build
        self._folder = folder
        self._db = connection
        self.model = model
        self.dimension = dimension
        self.params = params
        self.vector_params = vector_params
        self._held = held
        self._pinned = pinned  # a build not live yet (a rebuild's): it stays on it
        self._immutable = immutable
        self._vectors: VectorIndex | None = None
        self._vectors_generation = -1
        self._injected: VectorIndex | None = None
        self._total = (-1, 0)  # (generation, chunks)
        self._audiences: dict[tuple[int, bool, bool], int] = {}  # articles each audience sees, by generation

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
        """The live build of the index in `directory`, for this model. With `create`, an empty
        first build is made when there is no index (never in place of a damaged one)."""
        folder = IndexFolder(Path(directory))
        with diagnosed(folder.root, params.min_free_bytes):
            try:
                return cls._open_live(folder, (model, dimension), params, vector_params)
            except IndexMissingError:
                if not create:
                    raise
            cls._make_first_build(folder, model, dimension, params, vector_params)
            return cls._open_live(folder, (model, dimension), params, vector_params)

    @classmethod
    def open_existing(
        cls,
        directory: Path,
        *,
        params: StoreParams = StoreParams(),
        vector_params: VectorParams = VectorParams(),
    ) -> Store:
        """Open with the model and dimension the index was built with (for model-free reads)."""
        folder = IndexFolder(Path(directory))
        with diagnosed(folder.root, params.min_free_bytes):
            return cls._open_live(folder, None, params, vector_params)

    @classmethod
    def create_build(
        cls,
        folder: IndexFolder,
        build: Path,
        model: str,
        dimension: int,
        *,
        params: StoreParams = StoreParams(),
        vector_params: VectorParams = VectorParams(),
    ) -> Store:
        """An empty database in `build`, a folder of `folder` that is not live yet: the store stays
        on it (a rebuild fills it, then makes it live)."""
        with diagnosed(folder.root, params.min_free_bytes):
            held = hold(build)
            connection: sqlite3.Connection | None = None
            try:
                connection, _ = connect(build / DB_NAME, params)
                connection.executescript(SCHEMA)
                store = cls(
                    folder,
                    build,
                    connection,
                    model,
                    dimension,
                    params,
                    vector_params,
                    held=held,
                    pinned=True,
                    immutable=False,
                )
                store._record_meta()
            except BaseException:
                if connection is not None:
                    connection.close()
                release(held)
                raise
            return store

    @classmethod
    def _make_first_build(
        cls, folder: IndexFolder, model: str, dimension: int, params: StoreParams, vector_params: VectorParams
    ) -> None:
        """Makes an empty first build live, unless another process just did (checked under the
        lock, so that two first ingests at once make one index)."""
        with folder.locked(wait=True) as builds:
            assert builds is not None  # waited for
            try:
                cls._open_live(folder, None, params, vector_params).close()
                return
            except IndexMissingError:
                pass
            build = builds.create()
            try:
                cls.create_build(
                    folder, build, model, dimension, params=params, vector_params=vector_params
                ).close()
                builds.switch(build)
            except BaseException:
                shutil.rmtree(build, ignore_errors=True)
                raise

    @classmethod
    def _open_live(
        cls,
        folder: IndexFolder,
        expected: tuple[str, int] | None,
        params: StoreParams,
        vector_params: VectorParams,
    ) -> Store:
        build, held = folder.open_live()
        try:
            store = cls._open_build(folder, build, expected, params, vector_params, held, pinned=False)
        except BaseException:
            release(held)
            raise
        folder.link(build)
        return store

    @classmethod
    def _open_build(
        cls,
        folder: IndexFolder,
        build: Path,
        expected: tuple[str, int] | None,
        params: StoreParams,
        vector_params: VectorParams,
        held: int | None,
        *,
        pinned: bool,
    ) -> Store:
        """`build`'s database checked against `expected` (model, dimension), or read with the ones
        it records."""
        database = build / DB_NAME
        if database.stat().st_size == 0:
            # Every build records its model before it goes live: an empty file is a lost database,
            # not a new archive.
            raise damaged(folder.root, "its database file is empty, 0 bytes")
        connection, immutable = connect(database, params)
        try:
            meta = _read_meta(connection)
            if "model" not in meta:
                # An older newsbot's first ingest stopped before it recorded its model: nothing
                # was stored yet, and opening would record an empty model that no encoder matches.
                raise missing_index(folder.root)
            model, dimension = expected or (meta["model"], int(meta["dimension"]))
            store = cls(
                folder,
                build,
                connection,
                model,
                dimension,
                params,
                vector_params,
                held=held,
                pinned=pinned,
                immutable=immutable,
            )
            store._check_meta(meta)
        except BaseException:
            connection.close()
            raise
        return store

    def reopened(self) -> Store:
        """Another store like this one, on the live build (on this build, for one not live yet):
        a writer of its own beside the readers, or the successor of a stale store."""
        if not self._pinned:
            return Store.open(
                self.directory,
                self.model,
                self.dimension,
                create=False,
                params=self.params,
                vector_params=self.vector_params,
            )
        held = hold(self.build)
        try:
            return self._open_build(
                self._folder,
                self.build,
                (self.model, self.dimension),
                self.params,
                self.vector_params,
                held,
                pinned=True,
            )
        except BaseException:
            release(held)
            raise

    @property
    def location(self) -> str:
        return str(self.directory)

    @property
    def uploads(self) -> Path:
        return self._folder.uploads

    def current(self) -> Store:
        """This store, or, when a rebuild made another build live, a store on that one (this one
        closed, and its build deleted when no one else reads it)."""
        if not self.stale():
            return self
        fresh = self.reopened()
        self.close()
        IndexFolder(fresh.directory).remove_if_retired(self.build)
        return fresh

    def stale(self) -> bool:
        """Whether to reopen: a rebuild made another build live, or a writer started beside this
        immutable read-only snapshot. One small read or stat: asked before every question."""
        if self._immutable and wal_path(self.build / DB_NAME).exists():
            return True
        return not self._pinned and not self._folder.is_live(self.build)

    def _record_meta(self) -> None:
        with self.write():
            self._set_meta(
                format_version=str(FORMAT_VERSION),
                model=self.model,
                dimension=str(self.dimension),
                generation="0",
                **{SENTENCE_VECTORS: IN_CHUNK},
            )
        self._write_manifest()

    def _check_meta(self, meta: dict[str, str]) -> None:
        version = int(meta.get("format_version", 0))
        if not 1 <= version <= FORMAT_VERSION:
            raise IndexIncompatibleError(
                f"The index in {self.directory} has format {meta.get('format_version')}, this "
                f"newsbot reads format {FORMAT_VERSION}: rebuild it with `newsbot ingest --rebuild`."
            )
        if meta.get("model") != self.model or int(meta.get("dimension", 0)) != self.dimension:
            raise IndexIncompatibleError(
                f"The index in {self.directory} was built with model {meta.get('model')} "
                f"({meta.get('dimension')} dimensions) but the configured model is {self.model} "
                f"({self.dimension}): set NEWSBOT_MODEL_PATH to match, or rebuild with "
                "`newsbot ingest --rebuild`."
            )
        if not self._immutable:
            try:
                self._db.executescript(SCHEMA)  # tables added since the index was made
            except sqlite3.OperationalError as exc:
                if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
                    raise
        if version < FORMAT_VERSION:
            cannot = IndexIncompatibleError(
                f"The index in {self.directory} has format {version} and this newsbot reads format "
                f"{FORMAT_VERSION}; it upgrades it in place, but may not write there: run any newsbot "
                "command once as a user who may write to it."
            )
            if self._immutable:
                raise cannot
            try:
                self._upgrade(version)
            except IndexReadOnlyError:
                raise cannot from None
        self._check_manifest()

    def _check_manifest(self) -> None:
        path = self.build / MANIFEST_NAME
        try:
            manifest = json.loads(path.read_text())
            agrees = manifest.get("model") == self.model and manifest.get("dimension") == self.dimension
        except FileNotFoundError:
            return
        except (ValueError, OSError):
            agrees = False
        if agrees or self._immutable:
            return
        log.warning("manifest in %s disagrees with the database; rewriting it", self.build)
        try:
            self._write_manifest()
        except OSError as exc:  # a read-only copy: the database is the truth anyway
            log.warning("could not rewrite the manifest in %s: %s", self.build, exc)

    def _upgrade(self, version: int) -> None:
        """Format 1 indexed porter stems and lacked the term counts (redone from the chunks);
        formats 1 and 2 lacked the texts' fingerprints (computed from the texts); formats 1 to 3
        lacked the tables of feeds, notes and abstentions (made by SCHEMA, run before this);
        formats 1 to 4 kept no figures (worked out from the stored sentences)."""
        log.warning("upgrading the index in %s from format %d to %d", self.directory, version, FORMAT_VERSION)
        with self.write():
            if version == 1:
                upgrade_from_1(self._db)
            if version <= 2:
                upgrade_from_2(self._db)
            if version <= 4:
                upgrade_from_4(self._db)
            self._set_meta(format_version=str(FORMAT_VERSION))
        self._write_manifest()

    def close(self) -> None:
        self._db.close()
        release(self._held)
        self._held = None

    # ---- transactions --------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[None]:
        """One writer at a time, across processes (BEGIN IMMEDIATE takes SQLite's write lock),
        and only into the live build: a rebuild switches builds while it holds the old build's
        lock, so a writer that gets the lock after a switch learns it here (BuildRetired) and
        writes again into the live build."""
        with diagnosed(self.directory, self.params.min_free_bytes):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if self.stale():
                    raise BuildRetired(self.build)
                yield
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                self._vectors_generation = -1  # the in-memory index may hold uncommitted changes
                raise

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one committed generation, whatever a writer does meanwhile."""
        with diagnosed(self.directory, self.params.min_free_bytes):
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

    def use_vectors(self, index: VectorIndex | None) -> None:
        """Search `index` instead of the generation's vectors, for a reader only (the bench's
        exact-search baseline over the same archive); None goes back to them."""
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
        """The vector index of the generation this connection sees (call inside a transaction).

        It starts from the newest of the vectors in memory and the build's vector files, and
        takes in what the database logged since. Vectors assembled from an older file or from
        the database alone are saved, so that the next start loads them instead."""
        if self._injected is not None:
            return self._injected
        generation = self.generation()
        if self._vectors is not None and self._vectors_generation == generation:
            return self._vectors
        index, since, from_memory = self._vector_base(generation)
        if since != generation:
            self._catch_up(index, since)
        save = since != generation and not from_memory
        if index.size != self.chunk_total():
            # The log does not reach back to the file (an older newsbot wrote since): from the start.
            log.warning("the vectors of %s disagree with the database; rebuilding them", self.build)
            index, save = self._rebuild_vectors(), True
        self._vectors, self._vectors_generation = index, generation
        if save and generation:
            self._keep(index, generation)
        return index

    def _vector_base(self, generation: int) -> tuple[VectorIndex, int, bool]:
        """(vectors, the generation they are of, whether they were in memory): the newest of the
        vectors in memory, the vector files up to `generation` and the empty index."""
        cached = self._vectors if 0 <= self._vectors_generation <= generation else None
        saved = newest_saved(self.build, generation)
        if saved is not None and (cached is None or saved > self._vectors_generation):
            try:
                path = vector_path(self.build, saved)
                return VectorIndex.load(path, self.dimension, self.vector_params), saved, False
            except ValueError as exc:
                log.warning("%s; using the database instead", exc)
        if cached is not None:
            return cached, self._vectors_generation, True
        if generation:
            log.warning("no usable vector file in %s; rebuilding it from the database", self.build)
        return VectorIndex.empty(self.dimension, self.vector_params), 0, False

    def _catch_up(self, index: VectorIndex, since: int) -> None:
        """Applies to `index`, the vectors of generation `since`, what the database changed since."""
        ids = index.ids()
        removed, added_ids, added = changes_since(
            self._db, since, int(ids.max()) if len(ids) else 0, self.dimension
        )
        index.remove(removed)
        index.add(added_ids, added)

    def _keep(self, index: VectorIndex, generation: int) -> None:
        """Saves vectors assembled from the database (best effort: a read-only copy cannot)."""
        if self._immutable:
            return
        try:
            index.save(vector_path(self.build, generation))
        except OSError as exc:
            log.warning("could not save the vectors rebuilt for %s: %s", self.build, exc)

    def _rebuild_vectors(self) -> VectorIndex:
        return VectorIndex.build(self.dimension, *self.chunk_vectors(), self.vector_params)

    # ---- writing -------------------------------------------------------------------------

    def article_index(self) -> dict[str, StoredArticle]:
        """Every stored article by article_id, oldest first, as an ingest compares against it."""
        rows = self._db.execute(
            "SELECT article_id, id, content_hash, source, source_file, fingerprint, also_published_as "
            "FROM articles ORDER BY id"
        )
        return {r[0]: StoredArticle(r[1], r[2], r[3], r[4], r[5], parse_also(r[6])) for r in rows}

    def _delete_article_rows(self, row_id: int) -> tuple[list[int], list[str]]:
        """Deletes an article's sentences and chunks; returns the chunks' ids and texts."""
        rows = self._db.execute("SELECT id, text FROM chunks WHERE article = ?", (row_id,)).fetchall()
        chunk_ids = [r[0] for r in rows]
        self._db.executemany("DELETE FROM chunks_fts WHERE rowid = ?", [(c,) for c in chunk_ids])
        self._db.execute("DELETE FROM chunks WHERE article = ?", (row_id,))
        self._db.execute("DELETE FROM sentences WHERE article = ?", (row_id,))
        self._db.execute("DELETE FROM figures WHERE article = ?", (row_id,))
        return chunk_ids, [r[1] for r in rows]

    def apply(
        self,
        upserts: Sequence[PreparedArticle],
        removals: Sequence[str],
        also: Mapping[str, Sequence[AlsoPublished]] | None = None,
    ) -> None:
        """Replace and remove articles as one generation: all of it is committed, or none; `also`
        gives stored articles their new lists of other names. Nothing is written when the disk
        is nearly full (DiskFullError, see StoreParams)."""
        ensure_room(self.build, self.params.min_free_bytes, "Writing an ingest batch")
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
                    row_id = existing[article_id].row
                    ids, texts = self._delete_article_rows(row_id)
                    dropped += ids
                    removed_texts += texts
                    self._db.execute("DELETE FROM articles WHERE id = ?", (row_id,))
                    self._write_note(article_id, None)
            for prepared in upserts:
                a = prepared.article
                if a.article_id in existing:
                    row_id = existing[a.article_id].row
                    ids, texts = self._delete_article_rows(row_id)
                    dropped += ids
                    removed_texts += texts
                    self._db.execute("DELETE FROM articles WHERE id = ?", (row_id,))
                row_id = _inserted(
                    self._db.execute(
                        "INSERT INTO articles(article_id, title, url, outlet, author, published, "
                        "published_inferred, visibility, status, source, source_file, text, "
                        "content_hash, ingested_at, fingerprint, also_published_as) "
                        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                            text_fingerprint(a.text),
                            also_json(prepared.also_published_as),
                        ),
                    )
                )
                self._write_note(a.article_id, prepared.note)
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
                self._write_figures(row_id, prepared)
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
            self._db.executemany(
                "UPDATE articles SET also_published_as = ? WHERE article_id = ?",
                [(also_json(names), article_id) for article_id, names in (also or {}).items()],
            )
            update_term_counts(self._db, added_texts, removed_texts)
            self._db.executemany(
                "INSERT INTO removed_chunks(chunk, generation) VALUES(?, ?)",
                [(c, generation + 1) for c in dropped],
            )
            vectors.remove(dropped)
            vectors.add(
                np.array(new_ids, dtype=np.int64),
                np.stack(new_vectors) if new_vectors else np.zeros((0, self.dimension), np.float32),
            )
            self._set_meta(generation=str(generation + 1), last_ingest=now)
            self._vectors_generation = generation + 1

    def _write_figures(self, row_id: int, prepared: PreparedArticle) -> None:
        """The figures of an article just inserted; a retracted article's are not kept (it is never
        cited, and its figures are no record)."""
        if prepared.article.status is Status.RETRACTED:
            return
        ids = dict(self._db.execute("SELECT position, id FROM sentences WHERE article = ?", (row_id,)))
        self._db.executemany(
            FIGURE_INSERT,
            [figure_row(row_id, ids[s.position], f) for s in prepared.sentences for f in s.figures],
        )

    def save_files(self) -> None:
        """Writes the files derived from the committed generation: its vector file and the
        manifest. Once per ingest, not per batch (the whole vector file for every batch was most
        of what an ingest wrote); an ingest that stops before this loses nothing (see vectors())."""
        with self.write():
            generation = self.generation()
            path = vector_path(self.build, generation)
            if not path.exists():
                self.vectors().save(path)
            # Under the write lock: no other writer is saving meanwhile. The previous file stays:
            # a reader may have just read its generation number.
            oldest = keep_newest(self.build, 2)
            if oldest is not None:
                self._db.execute("DELETE FROM removed_chunks WHERE generation <= ?", (oldest,))
        self._write_manifest()

    def check(self) -> list[str]:
        """What disagrees inside the committed generation; empty when the index is consistent.

        Reads the newest vector file from disk and the changes logged since, not the vectors in
        memory or rebuilt, so that a file or a log that lost or gained chunks cannot hide. For an
        index no one is writing to (after a crash, in tests).
        """
        with self.snapshot():
            generation = self.generation()
            saved = newest_saved(self.build, generation)
            name = vector_path(self.build, saved).name if saved is not None else "the empty index"
            try:
                index = (
                    VectorIndex.load(vector_path(self.build, saved), self.dimension, self.vector_params)
                    if saved is not None
                    else VectorIndex.empty(self.dimension, self.vector_params)
                )
            except ValueError as exc:
                return [str(exc), *consistency_problems(self._db, None, name)]
            if saved != generation:
                self._catch_up(index, saved or 0)
                name += " and the changes logged since"
            return consistency_problems(self._db, {int(i) for i in index.ids()}, name)

    def _write_manifest(self) -> None:
        counts = self.counts()
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": self.model,
            "dimension": self.dimension,
            "generation": self.generation(),
            **counts,
        }
        write_bytes_atomic(self.build / MANIFEST_NAME, json.dumps(manifest, indent=2).encode())

    def record_feedback(self, helpful: bool, user_hash: str, question: str | None) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        self.add_feedback([(now, int(helpful), user_hash, question)])

    def add_feedback(self, rows: Sequence[FeedbackRow]) -> None:
        with self.write():
            self._db.executemany(
                "INSERT INTO feedback(created, helpful, user_hash, question) VALUES(?,?,?,?)", rows
            )

    def feedback(self) -> list[FeedbackRow]:
        """Every feedback row, oldest first: what a rebuild carries over."""
        return self._db.execute(
            "SELECT created, helpful, user_hash, question FROM feedback ORDER BY id"
        ).fetchall()

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
    def _visible(include_internal: bool, retracted: bool = False) -> str:
        """Articles this audience may be shown; with `retracted`, the retracted ones instead (kept
        only to say that an answer would have come from one)."""
        status = "a.status = 'retracted'" if retracted else "a.status = 'published'"
        return status + ("" if include_internal else " AND a.visibility = 'public'")

    def has_retracted(self) -> bool:
        return (
            self._db.execute("SELECT 1 FROM articles WHERE status = 'retracted' LIMIT 1").fetchone()
            is not None
        )

    def visible_chunks(
        self,
        chunk_ids: Sequence[int],
        include_internal: bool,
        retracted: bool = False,
        filters: ArticleFilter | None = None,
    ) -> set[int]:
        if not chunk_ids:
            return set()
        marks = ",".join("?" * len(chunk_ids))
        if filters is not None and filters.active:
            where, args = self._filtered(filters)
            rows = self._db.execute(
                # Chunk by chunk (CROSS JOIN keeps that order): led by a filter's index instead,
                # SQLite joins every article the filter lets through (97 ms against 6 for 1,000
                # chunks at 100k).
                "SELECT c.id FROM chunks c INDEXED BY chunks_span CROSS JOIN articles a ON a.id = c.article "
                f"WHERE c.id IN ({marks}) AND {self._visible(include_internal, retracted)}{where}",
                [*chunk_ids, *args],
            )
            return {r[0] for r in rows}
        rows = self._db.execute(
            "SELECT c.id FROM chunks c INDEXED BY chunks_span "
            "JOIN articles a INDEXED BY articles_visibility ON a.id = c.article "
            f"WHERE c.id IN ({marks}) AND {self._visible(include_internal, retracted)}",
            list(chunk_ids),
        )
        return {r[0] for r in rows}

    @staticmethod
    def _filtered(filters: ArticleFilter) -> tuple[str, list[str]]:
        """The conditions `filters` puts on articles `a` (each after an AND), and their values."""
        conditions, args = [], []
        if filters.outlet is not None:
            conditions.append("lower(trim(a.outlet)) = lower(trim(?))")
            args.append(filters.outlet)
        if filters.since is not None:
            conditions.append("a.published >= ?")  # ISO dates: text order is date order
            args.append(filters.since.isoformat())
        if filters.until is not None:
            conditions.append("a.published <= ?")
            args.append(filters.until.isoformat())
        return "".join(f" AND {c}" for c in conditions), args

    @staticmethod
    def _led_by(filters: ArticleFilter) -> str:
        """The narrow index that finds the articles `filters` lets through: left to itself, SQLite
        reads them by status, each article's wide row (6 ms for 3,000 chunks at 100k)."""
        return "articles_filter" if filters.outlet is not None else "articles_published"

    def outlets(self, include_internal: bool) -> list[str]:
        """The outlets of the articles this audience may see, as written (spaces trimmed), once
        each whatever their case, in alphabetical order."""
        rows = self._db.execute(
            "SELECT min(trim(a.outlet)) FROM articles a "
            f"WHERE {self._visible(include_internal)} AND trim(a.outlet) != '' "
            "GROUP BY lower(trim(a.outlet)) ORDER BY lower(trim(a.outlet))"
        )
        return [r[0] for r in rows]

    def outlet_named(self, name: str, include_internal: bool) -> str | None:
        """The outlet this audience may see that `name` names (ignoring case and surrounding
        spaces), as written, or None."""
        row = self._db.execute(
            "SELECT min(trim(a.outlet)) FROM articles a "
            f"WHERE {self._visible(include_internal)} AND lower(trim(a.outlet)) = lower(trim(?))",
            (name,),
        ).fetchone()
        return row[0] if row else None

    def filter_counts(
        self, filters: ArticleFilter, include_internal: bool, retracted: bool
    ) -> tuple[int, int]:
        """(articles `filters` lets through, articles this audience may see): how selective it is.
        The first is read from the narrow index its outlet or dates lead; the second once per
        generation (it reads an entry for every article)."""
        where, args = self._filtered(filters)
        visible = self._visible(include_internal, retracted)
        matching = self._db.execute(
            f"SELECT count(*) FROM articles a INDEXED BY {self._led_by(filters)} WHERE {visible}{where}", args
        ).fetchone()[0]
        generation = self.generation()
        audience = (generation, include_internal, retracted)
        if audience not in self._audiences:
            self._audiences = {k: n for k, n in self._audiences.items() if k[0] == generation}
            self._audiences[audience] = self._db.execute(
                f"SELECT count(*) FROM articles a INDEXED BY articles_visibility WHERE {visible}"
            ).fetchone()[0]
        return int(matching), int(self._audiences[audience])

    def filtered_chunks(
        self, filters: ArticleFilter, include_internal: bool, retracted: bool, limit: int = -1
    ) -> list[int]:
        """The chunks of the articles `filters` lets through, among those this audience may see
        (at most `limit` of them, when given)."""
        where, args = self._filtered(filters)
        rows = self._db.execute(
            f"SELECT c.id FROM articles a INDEXED BY {self._led_by(filters)} "
            "JOIN chunks c INDEXED BY chunks_article ON c.article = a.id "
            f"WHERE {self._visible(include_internal, retracted)}{where} LIMIT ?",
            [*args, limit],
        )
        return [r[0] for r in rows]

    def lexical_chunks(
        self,
        terms: Sequence[str],
        limit: int,
        include_internal: bool,
        *,
        overfetch: int = 4,
        retracted: bool = False,
        filters: ArticleFilter | None = None,
    ) -> list[tuple[int, float]]:
        """Chunks holding any of these terms (content_terms' stems), best BM25 first; `overfetch`
        times `limit` are ranked, for hits in articles this audience may not see or `filters`
        leaves out."""
        if not terms:
            return []
        query = " OR ".join(_fts_phrase(t) for t in terms)
        # Rank inside FTS5 alone and filter the few best: joining first makes SQLite rank and
        # join every match (seconds at 100k chunks).
        rows = self._db.execute(
            "SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
            (query, limit * overfetch),
        ).fetchall()
        visible = self.visible_chunks([r[0] for r in rows], include_internal, retracted, filters)
        return [(r[0], -float(r[1])) for r in rows if r[0] in visible][:limit]  # bm25: lower is better

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
        """See index.store.hybrid (call inside a snapshot)."""
        return hybrid(
            self,
            query_vector,
            terms,
            params,
            include_internal=include_internal,
            top=top,
            retracted=retracted,
            filters=filters,
        )

    def vector_count(self) -> int:
        return self.vectors().size

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
        return {t: idf(total, n) for t, n in self.term_chunks(terms).items()}

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

    def chunk_figures(self, chunk_ids: Sequence[int], include_internal: bool) -> list[StoredFigure]:
        """The figures of these chunks' sentences, in articles this audience may see, each once
        (chunks overlap by a sentence)."""
        ids = sorted(set(chunk_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            'SELECT DISTINCT f.id, f.article, f.sentence, s.position, s.start, s."end", f.start, f."end", '
            "f.value, f.thing, f.part_of_previous, f.place, f.period, f.attributed_to, "
            'substr(a.text, s.start + 1, s."end" - s.start) '
            "FROM chunks c INDEXED BY chunks_span "
            "JOIN sentences s ON s.article = c.article "
            "AND s.position BETWEEN c.first_sentence AND c.last_sentence "
            "JOIN figures f ON f.sentence = s.id JOIN articles a ON a.id = c.article "
            f"WHERE c.id IN ({marks}) AND {self._visible(include_internal)} ORDER BY f.id",
            ids,
        ).fetchall()
        return [
            StoredFigure(
                article_row=r[1],
                sentence_id=r[2],
                position=r[3],
                sentence=r[14],
                sentence_start=r[4],
                sentence_end=r[5],
                start=r[6],
                end=r[7],
                value=FigureValue.model_validate_json(r[8]),
                thing=r[9],
                part_of_previous=bool(r[10]),
                place=r[11],
                period=Period.model_validate_json(r[12]) if r[12] else None,
                attributed_to=r[13],
            )
            for r in rows
        ]

    def sources(self, article_rows: Iterable[int]) -> dict[int, Source]:
        """What citations show of these articles, in one query (no counts: this is the hot path)."""
        rows = sorted(set(article_rows))
        if not rows:
            return {}
        marks = ",".join("?" * len(rows))
        found = self._db.execute(
            "SELECT a.id, a.article_id, a.title, a.url, a.outlet, a.published, a.also_published_as, "
            "CASE a.status WHEN 'retracted' THEN a.ingested_at END, n.note, n.updated "
            "FROM articles a LEFT JOIN article_notes n ON n.article_id = a.article_id "
            f"WHERE a.id IN ({marks})",
            rows,
        )
        return {
            r[0]: Source(
                article_id=r[1],
                title=r[2],
                url=r[3],
                outlet=r[4],
                published=dt.date.fromisoformat(r[5]) if r[5] else None,
                also_published_as=also_names(r[6]),
                retracted_on=dt.datetime.fromisoformat(r[7]).date() if r[7] else None,
                note=r[8],
                updated=dt.date.fromisoformat(r[9]) if r[9] else None,
            )
            for r in found
        }

    def _infos(self, where: str, params: tuple, include_internal: bool, limit: int = 1) -> list[ArticleInfo]:
        rows = self._db.execute(
            "SELECT a.article_id, a.title, a.url, a.outlet, a.author, a.published, "
            "a.published_inferred, a.visibility, a.status, "
            "(SELECT count(*) FROM sentences s WHERE s.article = a.id), "
            "(SELECT count(*) FROM chunks c WHERE c.article = a.id), a.also_published_as "
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
                also_published_as=also_names(r[11]),
            )
            for r in rows
        ]

    def find_article(self, article_id: str, include_internal: bool) -> ArticleInfo | None:
        found = self._infos("a.article_id = ?", (article_id,), include_internal)
        return found[0] if found else None

    def articles_by_title(self, fragment: str, include_internal: bool, limit: int) -> list[ArticleInfo]:
        pattern = "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self._infos("a.title LIKE ? ESCAPE '\\'", (pattern,), include_internal, limit)

    def copies(self) -> Iterator[StoredCopy]:
        """Every stored article (retracted and internal ones too), oldest first, with the texts
        the model embedded for it (its sentences, then its chunks) and the vectors stored."""
        rows = self._db.execute(
            "SELECT id, article_id, title, text, url, outlet, author, published, published_inferred, "
            "visibility, status, source, also_published_as FROM articles ORDER BY id"
        )  # read as written out: an archive's texts are not held at once
        for r in rows:
            article = Article(
                article_id=r[1],
                title=r[2],
                text=r[3],
                url=r[4],
                outlet=r[5],
                author=r[6],
                published=dt.date.fromisoformat(r[7]) if r[7] else None,
                published_inferred=bool(r[8]),
                visibility=Visibility(r[9]),
                status=Status(r[10]),
                source=r[11],
            )
            sentences = self._db.execute(
                'SELECT start, "end", vector FROM sentences WHERE article = ? AND vector IS NOT NULL '
                "ORDER BY position",
                (r[0],),
            )
            chunks = self._db.execute(
                "SELECT text, vector FROM chunks WHERE article = ? ORDER BY position", (r[0],)
            )
            embedded = [(article.text[a:b], blob) for a, b, blob in sentences] + list(chunks)
            yield StoredCopy(article, parse_also(r[12]), embedded)

    def copied(self, article_ids: Sequence[str]) -> tuple[int, int, int]:
        """How many of these articles are stored, with how many sentences and chunks."""
        found = [0, 0, 0]
        for start in range(0, len(article_ids), 500):  # SQLite's limit on bound parameters
            part = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(part))
            row = self._db.execute(
                "SELECT count(*), "
                "coalesce(sum((SELECT count(*) FROM sentences s WHERE s.article = a.id)), 0), "
                "coalesce(sum((SELECT count(*) FROM chunks c WHERE c.article = a.id)), 0) "
                f"FROM articles a WHERE a.article_id IN ({marks})",
                part,
            ).fetchone()
            found = [n + int(m) for n, m in zip(found, row, strict=True)]
        return found[0], found[1], found[2]

    def chunk_article_rows(self, chunk_ids: Sequence[int]) -> dict[int, int]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self._db.execute(
            f"SELECT id, article FROM chunks INDEXED BY chunks_span WHERE id IN ({marks})", list(chunk_ids)
        )
        return dict(rows.fetchall())

    # ---- notes, feeds and unanswered questions -------------------------------------------

    def _write_note(self, article_id: str, note: Note | None) -> None:
        """An article's correction notes replaced (inside the caller's write)."""
        self._db.execute("DELETE FROM article_notes WHERE article_id = ?", (article_id,))
        if note is not None:
            self._db.execute(
                "INSERT INTO article_notes(article_id, note, updated) VALUES(?, ?, ?)",
                (article_id, note.text, note.updated.isoformat() if note.updated else None),
            )

    def feed_state(self) -> tuple[dict[str, FeedState], dict[str, PageState]]:
        """Feeds and pages as the last refresh left them, by URL."""
        return feed_state.read(self._db)

    def save_feed_state(self, feeds: Sequence[FeedState], pages: Sequence[PageState], summary: str) -> None:
        """Keeps what a refresh read, and when it ended with what summary (for stats)."""
        with self.write():
            feed_state.write(self._db, feeds, pages)
            self._set_meta(
                last_refresh=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                last_refresh_summary=summary,
            )

    def add_abstentions(self, rows: Sequence[AbstentionRow]) -> None:
        with self.write():
            self._db.executemany("INSERT INTO abstentions(created, user_hash, question) VALUES(?,?,?)", rows)

    def abstentions(self) -> list[AbstentionRow]:
        """Every abstention kept, oldest first: what a rebuild carries over."""
        return self._db.execute("SELECT created, user_hash, question FROM abstentions ORDER BY id").fetchall()

    def unanswered(self, limit: int) -> list[str]:
        """The newest `limit` questions the archive could not answer: abstentions, and answers
        marked not helpful whose question was kept."""
        rows = self._db.execute(
            "SELECT question FROM (SELECT created, question FROM abstentions UNION ALL "
            "SELECT created, question FROM feedback WHERE helpful = 0 AND question IS NOT NULL) "
            "ORDER BY created DESC LIMIT ?",
            (limit,),
        )
        return [r[0] for r in rows]
