"""The engine's one entry point, shared by the CLI, the Discord bot and the tools."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .answering.compose import compose
from .answering.question import analyse_in_context, validate_question
from .answering.retrieval import candidates, retrieve
from .encoders.base import Encoder
from .errors import UserError
from .ingest.pipeline import ingest
from .models import Answer, ArticleInfo, IngestReport, SearchHit, Stats
from .params import EngineParams
from .store.store import Store
from .text.terms import content_terms

Lap = Callable[[str], None]
SNIPPET_CHARS = 300


def _no_lap(stage: str) -> None:
    pass


class Engine:
    """Blocking and thread-safe: reads are serialised on one lock, ingests on another.

    An engine opened without an encoder (`open_existing`) answers only what needs no model:
    stats, article look-ups.
    """

    def __init__(
        self,
        store: Store,
        encoder: Encoder | None,
        *,
        params: EngineParams = EngineParams(),
        today: Callable[[], dt.date] = dt.date.today,
    ):
        self._store = store
        self._encoder = encoder
        self.params = params
        self._today = today
        self._lock = threading.RLock()
        self._ingest_lock = threading.Lock()

    @classmethod
    def open(
        cls,
        index_dir: Path,
        encoder: Encoder,
        *,
        create: bool = False,
        params: EngineParams = EngineParams(),
        today: Callable[[], dt.date] = dt.date.today,
    ) -> Engine:
        store = Store.open(
            Path(index_dir),
            encoder.name,
            encoder.dimension,
            create=create,
            params=params.store,
            vector_params=params.vectors,
        )
        return cls(store, encoder, params=params, today=today)

    @classmethod
    def open_existing(cls, index_dir: Path, *, params: EngineParams = EngineParams()) -> Engine:
        """For reads that need no model (stats): the index's own model name, no encoder loaded."""
        store = Store.open_existing(Path(index_dir), params=params.store, vector_params=params.vectors)
        return cls(store, encoder=None, params=params)

    @classmethod
    def rebuild(
        cls,
        index_dir: Path,
        encoder: Encoder,
        paths: Sequence[Path],
        *,
        params: EngineParams = EngineParams(),
        progress: bool = False,
    ) -> IngestReport:
        """An index built anew from `paths` beside the old one and swapped in when complete,
        so that a crash or a kill during the build leaves the old index answering."""
        target = Path(index_dir)
        building = target.with_name(target.name + ".rebuild")
        shutil.rmtree(building, ignore_errors=True)
        engine = cls.open(building, encoder, create=True, params=params)
        try:
            report = engine.ingest(paths, progress=progress)
        finally:
            engine.close()
        retired = target.with_name(target.name + ".old")
        shutil.rmtree(retired, ignore_errors=True)
        if target.exists():
            os.replace(target, retired)
        os.replace(building, target)
        shutil.rmtree(retired, ignore_errors=True)
        return report

    def close(self) -> None:
        with self._lock:
            self._store.close()

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            raise UserError("This archive was opened without a model: it can only count, not answer.")
        return self._encoder

    @contextmanager
    def snapshot(self) -> Iterator[Store]:
        """The store as of one committed generation, for tools that read it directly."""
        with self._lock, self._store.snapshot():
            yield self._store

    def ingest(self, paths: Sequence[Path], *, progress: bool = False) -> IngestReport:
        """Writes through a connection of its own, one ingest at a time: meanwhile questions are
        answered from the generation last committed, not held until the whole ingest is done."""
        with self._ingest_lock:
            writer = Store.open(
                self._store.directory,
                self._store.model,
                self._store.dimension,
                create=False,
                params=self.params.store,
                vector_params=self.params.vectors,
            )
            try:
                return ingest(
                    writer, self.encoder, [Path(p) for p in paths], self.params.ingest, progress=progress
                )
            finally:
                writer.close()

    def ask(
        self,
        question: str,
        *,
        include_internal: bool = False,
        previous: str | None = None,
        as_of: dt.date | None = None,
        lap: Lap = _no_lap,
    ) -> Answer:
        """`previous` is the question a follow-up refers to; `as_of` the day relative periods
        ("this week", "last year") are read against (default: today). `lap(stage)` is called as
        each stage ends (encode, wait, retrieve, read, compose): a caller that times the calls
        learns where the time went (`newsbot bench`)."""
        analysis = analyse_in_context(question, previous, as_of or self._today())
        encoder = self.encoder
        vector = encoder.encode([analysis.text])[0]
        lap("encode")
        with self._lock, self._store.snapshot():
            lap("wait")
            chunks = retrieve(
                self._store,
                vector,
                content_terms(analysis.text),
                self.params.retrieval,
                include_internal=include_internal,
            )
            lap("retrieve")
            found = candidates(self._store, chunks)
            idf = self._store.term_idf(analysis.terms)
            lap("read")
        answer = compose(analysis, vector, found, self.params.answer, idf, encode=encoder.encode)
        lap("compose")
        return answer

    def search(self, query: str, *, include_internal: bool = False, limit: int = 10) -> list[SearchHit]:
        """Articles matching the query, best first, one hit per article with its best passage."""
        query = validate_question(query)
        vector = self.encoder.encode([query])[0]
        with self._lock, self._store.snapshot():
            chunks = retrieve(
                self._store,
                vector,
                content_terms(query),
                self.params.retrieval,
                include_internal=include_internal,
                top=limit * self.params.retrieval.search_factor,
            )
            rows = self._store.chunk_article_rows([c for c, _ in chunks])
            texts = self._store.chunk_sentences([c for c, _ in chunks])
            sources = self._store.sources(rows.values())
            hits: dict[int, SearchHit] = {}
            for chunk_id, fused in chunks:
                article_row = rows.get(chunk_id)
                if article_row is None or article_row in hits or len(hits) >= limit:
                    continue
                snippet = " ".join(s.text for s in texts.get(chunk_id, []))
                hits[article_row] = SearchHit(
                    source=sources[article_row], snippet=snippet[:SNIPPET_CHARS], score=round(fused, 5)
                )
        return list(hits.values())

    def find_articles(
        self, prefix: str, *, include_internal: bool = False, limit: int = 25
    ) -> list[ArticleInfo]:
        with self._lock, self._store.snapshot():
            return self._store.articles_by_title(prefix.strip(), include_internal, limit)

    def article(self, article_id: str, *, include_internal: bool = False) -> ArticleInfo | None:
        with self._lock, self._store.snapshot():
            return self._store.find_article(article_id, include_internal)

    def record_feedback(self, *, helpful: bool, user_hash: str, question: str | None) -> None:
        with self._lock:
            self._store.record_feedback(helpful, user_hash, question)

    def stats(self) -> Stats:
        with self._lock, self._store.snapshot():
            counts = self._store.counts()
            meta = self._store.meta()
            helpful, unhelpful = self._store.feedback_counts()
            vectors = self._store.vectors().size
        last = meta.get("last_ingest")
        return Stats(
            **counts,
            vectors=vectors,
            model=self._store.model,
            dimension=self._store.dimension,
            last_ingest=dt.datetime.fromisoformat(last) if last else None,
            feedback_helpful=helpful,
            feedback_unhelpful=unhelpful,
            index_dir=str(self._store.directory),
        )
