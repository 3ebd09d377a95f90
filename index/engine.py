"""The engine's one entry point, shared by the CLI and the Discord bot."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from .answering import AnswerParams, Candidate, compose
from .encoder import Encoder
from .ingest import ingest
from .models import Answer, ArticleInfo, Citation, IngestReport, SearchHit, Stats
from .question import analyse_in_context, validate_question
from .retrieval import retrieve
from .store import Store
from .text import content_terms


class Engine:
    """Blocking and thread-safe: reads are serialised on one lock, ingests on another."""

    def __init__(
        self,
        store: Store,
        encoder: Encoder | None,
        *,
        params: AnswerParams = AnswerParams(),
        today: Callable[[], dt.date] = dt.date.today,
    ):
        self._store = store
        self._encoder = encoder
        self._params = params
        self._today = today
        self._lock = threading.RLock()
        self._ingest_lock = threading.Lock()

    @classmethod
    def open(
        cls, index_dir: Path, encoder: Encoder, *, create: bool = False, **options
    ) -> Engine:
        store = Store.open(Path(index_dir), encoder.name, encoder.dimension, create=create)
        return cls(store, encoder, **options)

    @classmethod
    def open_existing(cls, index_dir: Path) -> Engine:
        """For reads that need no model (stats): the index's own model name, no encoder loaded."""
        return cls(Store.open_existing(Path(index_dir)), encoder=None)

    def close(self) -> None:
        with self._lock:
            self._store.close()

    def ingest(self, paths: Sequence[Path], *, progress: bool = False) -> IngestReport:
        """Writes through a connection of its own, one ingest at a time: meanwhile questions are
        answered from the generation last committed, not held until the whole ingest is done."""
        with self._ingest_lock:
            writer = Store.open(
                self._store.directory, self._store.model, self._store.dimension, create=False
            )
            try:
                return ingest(writer, self._encoder, [Path(p) for p in paths], progress=progress)
            finally:
                writer.close()

    def _candidates(self, chunks: list[tuple[int, float]]) -> list[Candidate]:
        if not chunks:
            return []
        top = chunks[0][1]
        by_chunk = self._store.chunk_sentences([c for c, _ in chunks])
        sources = self._store.sources(s.article_row for ss in by_chunk.values() for s in ss)
        candidates = []
        for chunk_id, fused in chunks:
            for s in by_chunk.get(chunk_id, []):
                candidates.append(Candidate(
                    sentence_id=s.id, text=s.text, start=s.start, end=s.end, periods=s.periods,
                    vector=s.vector, chunk_score=fused / top, source=sources[s.article_row],
                ))
        return candidates

    def ask(
        self,
        question: str,
        *,
        include_internal: bool = False,
        previous: str | None = None,
        timings: dict[str, float] | None = None,
    ) -> Answer:
        """`timings`, when given, receives the seconds each stage took (for `newsbot bench`)."""
        lap = _Laps(timings)
        analysis = analyse_in_context(question, previous, self._today())
        vector = self._encoder.encode([analysis.text])[0]
        lap("encode")
        with self._lock, self._store.snapshot():
            lap("wait")
            chunks = retrieve(
                self._store, vector, content_terms(analysis.text), include_internal=include_internal
            )
            lap("retrieve")
            candidates = self._candidates(chunks)
            idf = self._store.term_idf(analysis.terms)
            lap("read")
        answer = compose(
            validate_question(question), analysis, vector, candidates, self._params, idf,
            encode=self._encoder.encode,
        )
        lap("compose")
        return answer

    def dense_best_sentence(self, vector) -> tuple[Citation, float] | None:
        """The evaluation baseline: nearest chunk by vector alone, then its most similar sentence."""
        with self._lock, self._store.snapshot():
            hits = self._store.vectors().search(vector, 1)
            if not hits:
                return None
            sentences = self._store.chunk_sentences([hits[0][0]]).get(hits[0][0], [])
            if not sentences:
                return None
            score, best = max(((float(s.vector @ vector), s) for s in sentences), key=lambda p: p[0])
            source = self._store.sources([best.article_row])[best.article_row]
        citation = Citation(
            n=1, article_id=source.article_id, title=source.title, url=source.url,
            outlet=source.outlet, published=source.published, sentence=best.text,
            start=best.start, end=best.end, score=round(score, 4),
        )
        return citation, score

    def search(self, query: str, *, include_internal: bool = False, limit: int = 10) -> list[SearchHit]:
        """Articles matching the query, best first, one hit per article with its best passage."""
        query = validate_question(query)
        vector = self._encoder.encode([query])[0]
        with self._lock, self._store.snapshot():
            chunks = retrieve(
                self._store, vector, content_terms(query), include_internal=include_internal,
                top=limit * 4,
            )
            rows = self._store.chunk_article_rows([c for c, _ in chunks])
            texts = self._store.chunk_sentences([c for c, _ in chunks])
            sources = self._store.sources(rows.values())
            hits: dict[int, SearchHit] = {}
            for chunk_id, fused in chunks:
                article_row = rows.get(chunk_id)
                if article_row is None or article_row in hits or len(hits) >= limit:
                    continue
                source = sources[article_row]
                snippet = " ".join(s.text for s in texts.get(chunk_id, []))
                hits[article_row] = SearchHit(
                    article_id=source.article_id, title=source.title, url=source.url,
                    outlet=source.outlet, published=source.published, snippet=snippet[:300],
                    score=round(fused, 5),
                )
        return list(hits.values())

    def find_articles(self, prefix: str, *, include_internal: bool = False, limit: int = 25) -> list[ArticleInfo]:
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


class _Laps:
    """Records the time since the previous lap under each name, into `timings` if given."""

    def __init__(self, timings: dict[str, float] | None):
        self._timings = timings
        self._last = time.perf_counter()

    def __call__(self, name: str) -> None:
        if self._timings is not None:
            now = time.perf_counter()
            self._timings[name] = now - self._last
            self._last = now
