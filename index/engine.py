"""The engine's one entry point, shared by the CLI, the Discord bot and the tools."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

import httpx
import numpy as np

from .answering.compose import Judged, Rerank, compose, judge
from .answering.explain import explanation, reading
from .answering.figures import ThingVectors, figure_report
from .answering.filters import resolved
from .answering.question import QuestionAnalysis, analyse_in_context, news_day, validate_question
from .answering.retrieval import Candidate, candidates, retrieve
from .archive.location import RemoteLocation
from .archive.milvus.archive import MilvusArchive
from .archive.protocol import Archive
from .encoders.base import Encoder
from .encoders.reranker import Reranker
from .errors import BadQuestionError, IndexDamagedError, IndexIncompatibleError, IndexMissingError, UserError
from .feeds.fetch import Fetcher
from .feeds.records import RefreshReport
from .feeds.refresh import Collected, collect
from .gaps.topics import GapReport, gap_topics
from .ingest.pipeline import ingest, ingest_articles, plan
from .ingest.progress import IngestProgress
from .models import Answer, ArticleFilter, ArticleInfo, FigureReport, IngestReport, SearchHit, Stats, Timeline
from .params import EngineParams, IngestParams
from .store.atomic import write_bytes_atomic
from .store.builds import BuildRetired, Builds, IndexFolder
from .store.diagnose import diagnosed
from .store.records import sentences_in_chunk
from .store.space import ensure_room, megabytes
from .store.store import Store
from .text.snippets import cut, matched_words
from .text.terms import content_terms, stem
from .timeline.events import build_timeline
from .transfer.copy import Batch, Kept, batches, header, write_samples, write_store
from .transfer.known_vectors import KnownVectors
from .transfer.lines import BadExportError, Header, read_lines, writing
from .transfer.reports import ExportReport, ImportReport, SampleMiss

log = logging.getLogger(__name__)
Lap = Callable[[str], None]
Written = TypeVar("Written")
_NOT_CARRIED = "the feedback of the index being replaced cannot be carried over: %s"


def _no_lap(stage: str) -> None:
    pass


def _uploads(folder: IndexFolder) -> list[Path]:
    return [folder.uploads] if folder.uploads.is_dir() else []


def _merged(first: IngestReport, then: IngestReport) -> IngestReport:
    """Two ingests' reports as one."""
    fields = {name: getattr(first, name) + getattr(then, name) for name in IngestReport.model_fields}
    return IngestReport(**fields)


def _ingest_batch(encoder: Encoder, batch: Batch, params: IngestParams, writer: Archive) -> IngestReport:
    return ingest_articles(writer, encoder, batch.articles, params, names=batch.names)


def _add_kept(store: Archive, kept: Kept) -> tuple[int, int]:
    """The export's feedback and abstentions this archive lacks, added; how many of each."""
    have = set(store.feedback())
    feedback = [
        row
        for f in kept.feedback
        if (row := (f.created, int(f.helpful), f.user_hash, f.question)) not in have
    ]
    asked = set(store.abstentions())
    abstentions = [
        asked_row
        for a in kept.abstentions
        if (asked_row := (a.created, a.user_hash, a.question)) not in asked
    ]
    if feedback:
        store.add_feedback(feedback)
    if abstentions:
        store.add_abstentions(abstentions)
    return len(feedback), len(abstentions)


def _with_late(report: IngestReport, late: IngestReport) -> IngestReport:
    """A rebuild's report with the uploads that arrived while it ran."""
    arrived = [a for a in late.added + late.updated if a not in report.added]
    return report.model_copy(update={"added": report.added + arrived})


class Engine:
    """Blocking and thread-safe: reads are serialised on one lock, ingests on another.

    An engine opened without an encoder (`open_existing`) answers only what needs no model:
    stats, article look-ups. Each call first checks that its build is still the live one and
    moves to the live one when a rebuild switched (index/store/builds.py).
    """

    def __init__(
        self,
        store: Archive,
        encoder: Encoder | None,
        *,
        reranker: Reranker | None = None,
        params: EngineParams = EngineParams(),
        today: Callable[[], dt.date] = dt.date.today,
    ):
        self._store = store
        self._encoder = encoder
        self._reranker = reranker
        self.params = params
        self._today = today
        self._lock = threading.RLock()
        self._ingest_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._thing_vectors: ThingVectors | None = None  # made at the first `figures`

    @classmethod
    def open(
        cls,
        index_dir: Path,
        encoder: Encoder,
        *,
        reranker: Reranker | None = None,
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
        return cls(store, encoder, reranker=reranker, params=params, today=today)

    @classmethod
    def open_remote(
        cls,
        location: RemoteLocation,
        encoder: Encoder | None,
        *,
        token: str,
        collections: str,
        uploads: Path,
        reranker: Reranker | None = None,
        create: bool = False,
        params: EngineParams = EngineParams(),
        today: Callable[[], dt.date] = dt.date.today,
    ) -> Engine:
        """The archive kept in a Milvus server (index/archive/milvus/) in the collections
        `<collections>_*`; without an encoder, for reads that need no model. Files sent for
        ingesting are kept in `uploads`, on this machine."""
        archive = MilvusArchive.connect(
            location,
            token=token,
            prefix=collections,
            model=encoder.name if encoder else None,
            dimension=encoder.dimension if encoder else None,
            create=create,
            uploads=uploads,
            params=params.remote,
            vector_params=params.vectors,
        )
        return cls(archive, encoder, reranker=reranker, params=params, today=today)

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
        progress: IngestProgress | None = None,
    ) -> IngestReport:
        """The archive built afresh from `paths` and the uploads folder, in a new build inside the
        index folder, then made live in one rename with its feedback carried over.

        Meanwhile the live build goes on answering and taking feedback and uploads, which the
        switch carries over too. A failure (a full disk) deletes the new build; a crash or a kill
        at any moment leaves the old build live and the next rebuild deletes what was left.
        Engines open on the old build move to the new one at their next call."""
        folder = IndexFolder(Path(index_dir))
        with diagnosed(folder.root, params.store.min_free_bytes), folder.locked(wait=False) as builds:
            if builds is None:
                raise UserError(f"Another rebuild of {folder.root} is running: wait for it to finish.")
            builds.remove_unused()  # what a killed rebuild left, and builds no one reads any more
            size, spare = folder.live_size(), params.store.min_free_bytes
            ensure_room(
                folder.root,
                size + spare,
                f"A rebuild (the archive's size now, {megabytes(size)}, and {megabytes(spare)} to spare)",
            )
            build = builds.create()
            try:
                store = Store.create_build(
                    folder,
                    build,
                    encoder.name,
                    encoder.dimension,
                    params=params.store,
                    vector_params=params.vectors,
                )
                engine = cls(store, encoder, params=params)
                try:
                    report = engine.ingest([*paths, *_uploads(folder)], progress=progress)
                    late = engine._take_over(store, builds)
                finally:
                    engine.close()
            except BaseException:
                if not folder.is_live(build):  # failed before its switch: nothing else has it
                    shutil.rmtree(build, ignore_errors=True)
                raise
            builds.remove_unused()
        return _with_late(report, late)

    def _take_over(self, store: Store, builds: Builds) -> IngestReport:
        """Makes this engine's build (a rebuild's) live. Under the write lock of the build it
        replaces, the uploads saved meanwhile are ingested and the feedback is copied; writers
        waiting for that lock then find their build retired and write into this one."""
        late = IngestReport()
        try:
            old = Store.open_existing(store.directory, params=self.params.store)
        except IndexMissingError:  # the first build
            builds.switch(store.build)
            return late
        except IndexIncompatibleError as exc:  # damaged, or a format this newsbot cannot read
            log.warning(_NOT_CARRIED, exc)
            builds.switch(store.build)
            return late
        try:
            with old.write():
                late = self.ingest(_uploads(builds.folder))
                store.add_feedback(old.feedback())
                store.add_abstentions(old.abstentions())
                builds.switch(store.build)
        except IndexDamagedError as exc:
            log.warning(_NOT_CARRIED, exc)
            builds.switch(store.build)
        finally:
            old.close()
        return late

    def close(self) -> None:
        with self._lock:
            self._store.close()

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            raise UserError("This archive was opened without a model: it can only count, not answer.")
        return self._encoder

    def _current(self) -> Archive:
        """The archive, first reopened when it went stale (call under the lock)."""
        self._store = self._store.current()
        return self._store

    @contextmanager
    def snapshot(self) -> Iterator[Archive]:
        """The archive as one writer left it (for the embedded one, one committed generation)."""
        with self._lock:
            store = self._current()
            with store.snapshot():
                yield store

    def unchanged(self, paths: Sequence[Path]) -> IngestReport | None:
        """The report of ingesting `paths` when that would change nothing (found without the
        model: an engine from `open_existing` answers it), else None."""
        with self.snapshot() as store:
            planned = plan(store, [Path(p) for p in paths], self.params.ingest)
        return None if planned.writes else planned.report

    def _writing(self, write: Callable[[Archive], Written]) -> Written:
        """`write(store)` through a connection of its own, one writer at a time: meanwhile questions
        are answered from the generation last committed, not held until the whole write is done.
        A write whose build a rebuild retired runs again, into the live build."""
        with self._ingest_lock:
            while True:
                with self._lock:
                    writer = self._current().reopened()
                try:
                    return write(writer)
                except BuildRetired:
                    log.info("%s was rebuilt during an ingest: ingesting into the new build", writer.location)
                finally:
                    writer.close()

    def ingest(self, paths: Sequence[Path], *, progress: IngestProgress | None = None) -> IngestReport:
        """One ingest at a time, through a connection of its own: see `_writing`."""
        return self._writing(
            lambda writer: ingest(
                writer, self.encoder, [Path(p) for p in paths], self.params.ingest, progress=progress
            )
        )

    def refresh(
        self, feeds: Sequence[str], client: httpx.Client, *, progress: IngestProgress | None = None
    ) -> RefreshReport:
        """Reads the feeds and sitemaps at these URLs through `client` and ingests their new and
        changed articles (index/feeds/). One refresh at a time; the fetching holds no lock, so
        questions and ingests go on meanwhile, and the articles are written like an ingest's.
        Failures are reported, never raised, and tried again next time."""
        with self._refresh_lock:
            with self.snapshot() as store:
                known_feeds, known_pages = store.feed_state()
                stored = set(store.article_index())
            now = dt.datetime.now(dt.UTC)
            collected = collect(
                feeds,
                Fetcher(client, self.params.feeds),
                self.params.feeds,
                known_feeds=known_feeds,
                known_pages=known_pages,
                stored=stored,
                now=now,
            )
            return self._writing(lambda writer: self._store_refresh(writer, collected, now, progress))

    def _store_refresh(
        self, writer: Archive, collected: Collected, started: dt.datetime, progress: IngestProgress | None
    ) -> RefreshReport:
        ingested = ingest_articles(
            writer, self.encoder, collected.articles, self.params.ingest, progress=progress
        )
        report = RefreshReport(
            feeds=collected.feeds_read,
            fetched=collected.fetched,
            not_modified=collected.not_modified,
            ingest=ingested,
            failed=collected.failed,
            finished=dt.datetime.now(dt.UTC),
        )
        writer.save_feed_state(collected.feeds, collected.pages, report.summary())
        log.info("refresh started %s: %s", started.isoformat(timespec="seconds"), report.summary())
        return report

    def export_archive(self, path: Path) -> ExportReport:
        """Writes the archive to `path` (index/transfer/lines.py): every article, retracted and
        internal ones too, with the vectors it is stored with, the feedback and abstentions
        kept, and sample searches with what they found, to check a copy by."""
        with writing(Path(path)) as out:
            with self.snapshot() as store:
                head = header(store, dt.datetime.now(dt.UTC))
                out.write(head.model_dump_json() + "\n")
                queries = write_store(store, out, self.params.transfer.samples)
                feedback, abstentions = len(store.feedback()), len(store.abstentions())
            found = {q: self._sample(q) for q in queries}
            write_samples(out, found)
        return ExportReport(
            path=str(path),
            model=head.model,
            articles=head.articles,
            sentences=head.sentences,
            chunks=head.chunks,
            feedback=feedback,
            abstentions=abstentions,
            samples=len(found),
        )

    def _sample(self, query: str) -> list[str]:
        hits = self.search(query, include_internal=True, limit=self.params.transfer.sample_hits)
        return [h.source.article_id for h in hits]

    def import_archive(self, path: Path) -> ImportReport:
        """Adds the articles of an export made by `export_archive` with their stored vectors
        (the model embeds only texts this archive lays out otherwise), and its feedback and
        abstentions not already here; then checks the copy by counts and the sample searches.
        Running it again changes nothing."""
        lines = read_lines(Path(path))
        head = next(lines)
        assert isinstance(head, Header)  # read_lines starts with one or raises
        if (head.model, head.dimension) != (self.encoder.name, self.encoder.dimension):
            raise BadExportError(
                f"{path} holds vectors of {head.model} ({head.dimension} dimensions); this archive's "
                f"model is {self.encoder.name} ({self.encoder.dimension}): import it into an archive "
                "of that model, or ingest the articles again."
            )
        kept, report, embedded = Kept(), IngestReport(), 0
        # Sentence vectors made otherwise than this archive's (index.store.records.SENTENCE_VECTORS)
        # are not taken: the model embeds the articles again, so that one archive holds one kind.
        with self.snapshot() as store:
            alike = head.sentences_in_chunk == sentences_in_chunk(store.meta())
        for batch in batches(lines, head, self.params.transfer.batch_articles, kept):
            encoder = KnownVectors(self.encoder, batch.vectors if alike else {})
            done = self._writing(partial(_ingest_batch, encoder, batch, self.params.ingest))
            report = _merged(report, done)
            embedded += encoder.embedded
        feedback, abstentions = self._writing(lambda writer: _add_kept(writer, kept))
        with self.snapshot() as store:
            stored = store.copied(kept.article_ids)
        misses = [
            SampleMiss(query=s.query, expected=s.found, found=found)
            for s in kept.samples
            if (found := self._sample(s.query)) != s.found
        ]
        return ImportReport(
            ingest=report,
            expected=(head.articles, head.sentences, head.chunks),
            stored=stored,
            embedded=embedded,
            feedback=feedback,
            abstentions=abstentions,
            samples=len(kept.samples),
            misses=misses,
        )

    def save_upload(self, name: str, data: bytes) -> Path:
        """Keeps a file sent for ingesting in the index's uploads folder, replacing one of the same
        name; returns its path. Uploads are a source of the archive, not derived data: a rebuild
        reads them again. `name` must be a plain file name."""
        if not name or Path(name).name != name or name.startswith("."):
            raise ValueError(f"not a plain file name: {name!r}")
        uploads = self._store.uploads
        with diagnosed(uploads.parent, self.params.store.min_free_bytes):
            uploads.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(uploads / name, data)
        return uploads / name

    def _gather(
        self,
        question: str,
        include_internal: bool,
        previous: str | None,
        as_of: dt.date,
        lap: Lap,
        *,
        as_of_given: bool,
        retracted: bool = False,
        filters: ArticleFilter | None = None,
    ) -> tuple[QuestionAnalysis, np.ndarray, list[Candidate], dict[str, float], list[Candidate]]:
        """The question read as of `as_of` (`as_of_given`: the asker chose it), its vector, the
        candidate sentences (of the articles `filters`, as `_resolved` gives it, lets through),
        the IDF of its terms and, with `retracted`, the candidates from retracted articles (for a
        note, never an answer)."""
        analysis = news_day(analyse_in_context(question, previous, as_of), as_of, as_of_given=as_of_given)
        vector = self.encoder.encode([analysis.text])[0]
        lap("encode")
        terms = content_terms(analysis.text)
        with self.snapshot() as store:
            lap("wait")
            chunks = retrieve(
                store,
                vector,
                terms,
                self.params.retrieval,
                include_internal=include_internal,
                filters=filters,
                news_of=analysis.news_of,
                half_life_days=self.params.answer.recency_half_life_days,
            )
            lap("retrieve")
            found = candidates(store, chunks)
            idf = store.term_idf(analysis.terms)
            gone: list[Candidate] = []
            if retracted and store.has_retracted():
                hits = retrieve(
                    store,
                    vector,
                    terms,
                    self.params.retrieval,
                    include_internal=include_internal,
                    retracted=True,
                    filters=filters,
                )
                gone = candidates(store, hits)
            lap("read")
        return analysis, vector, found, idf, gone

    def _resolved(self, filters: ArticleFilter | None, include_internal: bool) -> ArticleFilter:
        """`filters` checked, with its outlet as the archive writes it (index/answering/filters.py)."""
        if filters is None or not filters.active:
            return ArticleFilter()
        with self.snapshot() as store:
            return resolved(filters, store, include_internal, self.params.retrieval.outlets_listed)

    def outlets(self, *, include_internal: bool = False) -> list[str]:
        """The outlets of the articles this audience may see, alphabetically, each once."""
        with self.snapshot() as store:
            return store.outlets(include_internal)

    def _rerank(self) -> Rerank | None:
        return self._reranker.score if self._reranker is not None else None

    def ask(
        self,
        question: str,
        *,
        include_internal: bool = False,
        previous: str | None = None,
        as_of: dt.date | None = None,
        explain: bool = False,
        lap: Lap = _no_lap,
        filters: ArticleFilter | None = None,
    ) -> Answer:
        """`previous` is the question a follow-up refers to; `as_of` the day relative periods
        ("this week", "last year") are read against (default: today); `filters` the articles
        it may be answered from (an unknown outlet, or since after until, is a BadFilterError);
        `explain` adds why each of the best candidates was or was not chosen
        (`Answer.explanation`). Every answer carries how the question was read (`Answer.reading`).
        `lap(stage)` is called as each stage ends (encode, wait, retrieve, read, compose): a
        caller that times the calls learns where the time went (`newsbot bench`)."""
        day = as_of or self._today()
        scope = self._resolved(filters, include_internal)
        analysis, vector, found, idf, gone = self._gather(
            question,
            include_internal,
            previous,
            day,
            lap,
            as_of_given=as_of is not None,
            retracted=True,
            filters=scope,
        )
        read = reading(analysis, day, filters=scope)
        answer = compose(
            analysis,
            vector,
            found,
            self.params.answer,
            idf,
            encode=self.encoder.encode,
            rerank=self._rerank(),
        )
        if gone:  # would the answer have come from a retracted article?
            would = compose(
                analysis, vector, found + gone, self.params.answer, idf, self.encoder.encode, self._rerank()
            )
            retracted = next((c.source for c in would.stated if c.source.retracted_on), None)
            answer = answer.model_copy(update={"retracted": retracted})
        lap("compose")
        if explain:
            judged = judge(
                analysis, vector, found, self.params.answer, idf, self.encoder.encode, self._rerank()
            )
            why = explanation(analysis, judged, answer, read, self.params.answer)
            answer = answer.model_copy(update={"explanation": why})
        return answer.model_copy(update={"reading": read})

    def judge(
        self,
        question: str,
        *,
        include_internal: bool = False,
        previous: str | None = None,
        as_of: dt.date | None = None,
        filters: ArticleFilter | None = None,
    ) -> list[Judged]:
        """Every candidate sentence for `question` with what decides whether it answers (its
        features and calibrated probability), best first: for calibration and explanations."""
        scope = self._resolved(filters, include_internal)
        analysis, vector, found, idf, _ = self._gather(
            question,
            include_internal,
            previous,
            as_of or self._today(),
            _no_lap,
            as_of_given=as_of is not None,
            filters=scope,
        )
        return judge(analysis, vector, found, self.params.answer, idf, self.encoder.encode, self._rerank())

    def search(
        self,
        query: str,
        *,
        include_internal: bool = False,
        limit: int = 10,
        filters: ArticleFilter | None = None,
    ) -> list[SearchHit]:
        """Articles matching the query (among those `filters` lets through), best first, one hit
        per article with its best matching sentence; an article none of whose sentences shares a
        term with the query or comes close to it in meaning
        (`RetrievalParams.search_min_similarity`) is not a match."""
        if limit < 1:
            raise BadQuestionError(f"A search lists at least 1 article (not {limit}).")
        query = validate_question(query)
        scope = self._resolved(filters, include_internal)
        params = self.params.retrieval
        vector = self.encoder.encode([query])[0]
        ordered = content_terms(query)
        terms = set(ordered)
        with self.snapshot() as store:
            chunks = retrieve(
                store,
                vector,
                ordered,
                params,
                include_internal=include_internal,
                top=limit * params.search_factor,
                filters=scope,
            )
            rows = store.chunk_article_rows([c for c, _ in chunks])
            texts = store.chunk_sentences([c for c, _ in chunks])
            sources = store.sources(rows.values())
            hits: dict[int, SearchHit] = {}
            for chunk_id, fused in chunks:
                article_row = rows.get(chunk_id)
                sentences = texts.get(chunk_id, [])
                if article_row is None or article_row in hits or len(hits) >= limit or not sentences:
                    continue
                matched = {s.id: matched_words(s.text, terms) for s in sentences}
                best = max(
                    sentences,
                    key=lambda s: (
                        len({stem(s.text[a:b]) for a, b in matched[s.id]}),
                        float(vector @ s.vector),
                    ),
                )
                if not matched[best.id] and float(vector @ best.vector) < params.search_min_similarity:
                    continue
                snippet, marks = cut(best.text, matched[best.id], params.snippet_chars)
                hits[article_row] = SearchHit(
                    source=sources[article_row], snippet=snippet, score=round(fused, 5), marks=marks
                )
        return list(hits.values())

    def figures(self, topic: str, *, include_internal: bool = False) -> FigureReport:
        """Every figure the archive states about `topic` (stored at ingest, index/text/figures.py),
        grouped by what it counts and by period, newest first, each with its cited sentence; the
        topic is retrieved as a question is (hybrid), and a figure belongs to it when what it
        counts shares a stem with it or means nearly the same (`FigureParams`)."""
        if not topic.strip():
            raise BadQuestionError('Give a topic: what is counted, e.g. "carjackings".')
        topic = validate_question(topic)
        vector = self.encoder.encode([topic])[0]
        with self.snapshot() as store:
            chunks = retrieve(
                store,
                vector,
                content_terms(topic),
                self.params.retrieval,
                include_internal=include_internal,
                top=self.params.figures.chunks,
            )
            stored = store.chunk_figures([c for c, _ in chunks], include_internal)
            sources = store.sources(f.article_row for f in stored)
        with self._lock:
            if self._thing_vectors is None:
                self._thing_vectors = ThingVectors(self.encoder.encode, self.params.figures.cached_things)
            vectors = self._thing_vectors([f.thing for f in stored if f.thing])
        return figure_report(topic, vector, stored, sources, vectors, self.params.figures)

    def find_articles(
        self, prefix: str, *, include_internal: bool = False, limit: int = 25
    ) -> list[ArticleInfo]:
        with self.snapshot() as store:
            return store.articles_by_title(prefix.strip(), include_internal, limit)

    def article(self, article_id: str, *, include_internal: bool = False) -> ArticleInfo | None:
        with self.snapshot() as store:
            return store.find_article(article_id, include_internal)

    def record_feedback(self, *, helpful: bool, user_hash: str, question: str | None) -> None:
        with self._lock:
            while True:
                try:
                    return self._current().record_feedback(helpful, user_hash, question)
                except BuildRetired:
                    continue  # a rebuild made another build live meanwhile: it takes the feedback

    def record_abstention(self, *, user_hash: str, question: str) -> None:
        """Keeps a question the archive could not answer, for the coverage report (callers keep
        none where question logging is off)."""
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._lock:
            while True:
                try:
                    return self._current().add_abstentions([(created, user_hash, question)])
                except BuildRetired:
                    continue

    def coverage_gaps(self) -> GapReport:
        """The topics of the questions kept as unanswered (abstentions, answers marked not
        helpful), most asked first (index/gaps/)."""
        with self.snapshot() as store:
            questions = store.unanswered(self.params.gaps.max_questions)
        if not questions:
            return GapReport(questions=0)
        return gap_topics(questions, self.encoder.encode(questions), self.params.gaps)

    def stats(self) -> Stats:
        with self.snapshot() as store:
            counts = store.counts()
            meta = store.meta()
            helpful, unhelpful = store.feedback_counts()
            vectors = store.vector_count()
        last = meta.get("last_ingest")
        return Stats(
            **counts,
            vectors=vectors,
            model=store.model,
            dimension=store.dimension,
            last_ingest=dt.datetime.fromisoformat(last) if last else None,
            feedback_helpful=helpful,
            feedback_unhelpful=unhelpful,
            index_dir=store.location,
            last_refresh=dt.datetime.fromisoformat(meta["last_refresh"]) if "last_refresh" in meta else None,
            last_refresh_summary=meta.get("last_refresh_summary"),
        )

    def timeline(
        self, topic: str, *, include_internal: bool = False, limit: int | None = None, lap: Lap = _no_lap
    ) -> Timeline:
        """The dated events the archive reports about `topic`, in the order they happened (the
        date the sentence's words give, read against its article's publication date), one cited
        sentence each, the same event in several articles merged (index/timeline/). Retrieved as
        questions are, deeper (`TimelineParams.depth`). `limit`: only the most on-topic events
        (default `TimelineParams.max_events`); `lap` as for `ask`."""
        if limit is not None and limit < 1:
            raise BadQuestionError(f"A timeline lists at least 1 event (not {limit}).")
        topic = validate_question(topic)
        params = self.params.timeline
        vector = self.encoder.encode([topic])[0]
        lap("encode")
        deep = self.params.retrieval.model_copy(update={"depth": params.depth})
        with self.snapshot() as store:
            lap("wait")
            chunks = retrieve(
                store,
                vector,
                content_terms(topic),
                deep,
                include_internal=include_internal,
                top=params.chunks,
            )
            lap("retrieve")
            found = candidates(store, chunks)
            lap("read")
        timeline = build_timeline(topic, vector, found, params, limit or params.max_events)
        lap("compose")
        return timeline
