"""From corpus files to stored generations: read, diff against the store, prepare, write in
batches (one transaction each), then the files derived from the last one (once per ingest)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..archive.protocol import Archive
from ..encoders.base import Encoder, normalise
from ..errors import UserError
from ..models import Article, IngestReport, Status
from ..params import IngestParams
from ..store.records import (
    AlsoPublished,
    PreparedArticle,
    PreparedChunk,
    PreparedSentence,
    sentences_in_chunk,
)
from .chunking import Passage
from .corpus import read_corpus
from .identity import identify, source_file
from .layout import ArticleLayout, layout_article
from .progress import IngestProgress


def content_hash(article: Article) -> str:
    return hashlib.sha256(article.model_dump_json(exclude={"source"}).encode()).hexdigest()


Layouts = list[ArticleLayout]


def lay_out(articles: Sequence[Article], encoder: Encoder, params: IngestParams) -> Layouts:
    """Sentences, periods and chunks of each article of a batch (no model call but the
    tokenizer's counts). A retracted article's are kept too, never shown: an answer that would
    have come from it says that it was retracted."""
    return [layout_article(a, encoder.count_tokens, params) for a in articles]


def prepare(
    articles: Sequence[Article],
    encoder: Encoder,
    params: IngestParams,
    layouts: Layouts | None = None,
    also: Mapping[str, list[AlsoPublished]] | None = None,
    *,
    in_chunk: bool = True,
) -> list[PreparedArticle]:
    """Embed a batch laid out (by `lay_out`, here when `layouts` is not given); all texts of the
    batch go to the model together. `also` gives each article the other names its text arrived
    under. With `in_chunk`, each sentence's vector is read in its chunk's pass (`in_chunk_vectors`),
    else each sentence is embedded by itself (archives made before: their vectors stay of one kind)."""
    if layouts is None:
        layouts = lay_out(articles, encoder, params)
    passages = [layout.chunk_passages(a) for a, layout in zip(articles, layouts, strict=True)]
    if in_chunk:
        chunk_vectors, sentence_vectors = in_chunk_vectors(articles, layouts, passages, encoder)
    else:
        texts = [
            article.text[s:e]
            for article, layout in zip(articles, layouts, strict=True)
            for (s, e), boiler in zip(layout.spans, layout.boilerplate, strict=True)
            if not boiler
        ]
        alone = iter(encoder.encode(texts))
        sentence_vectors = [
            [None if boiler else next(alone) for boiler in layout.boilerplate] for layout in layouts
        ]
        chunk_vectors = encoder.encode([p.text for article_passages in passages for p in article_passages])
    chunk_rows = iter(chunk_vectors)
    prepared = []
    for article, layout, article_passages, vectors in zip(
        articles, layouts, passages, sentence_vectors, strict=True
    ):
        sentences: list[PreparedSentence] = []
        chunks: list[PreparedChunk] = []
        for i, ((start, end), boiler) in enumerate(zip(layout.spans, layout.boilerplate, strict=True)):
            sentences.append(
                PreparedSentence(
                    position=i,
                    paragraph=layout.paragraphs[i],
                    start=start,
                    end=end,
                    boilerplate=boiler,
                    periods=layout.periods[i],
                    vector=vectors[i],
                    figures=layout.figures[i],
                )
            )
        for n, ((first, last), passage) in enumerate(zip(layout.chunks, article_passages, strict=True)):
            chunks.append(
                PreparedChunk(
                    position=n,
                    first_sentence=first,
                    last_sentence=last,
                    start=layout.spans[first][0],
                    end=layout.spans[last][1],
                    text=passage.text,
                    vector=next(chunk_rows),
                )
            )
        prepared.append(
            PreparedArticle(
                article,
                content_hash(article),
                source_file(article),
                sentences,
                chunks,
                list((also or {}).get(article.article_id, [])),
                layout.note,
            )
        )
    return prepared


def in_chunk_vectors(
    articles: Sequence[Article], layouts: Layouts, passages: Sequence[Sequence[Passage]], encoder: Encoder
) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
    """The chunks' vectors, and each sentence's (None for boilerplate) pooled in the pass that
    embeds its chunks: the mean of its vectors in the chunks that hold it (a chunk shares its
    edge sentences with its neighbours). Read in its passage, a sentence brings its context
    (a pronoun's antecedent, the title) at no second model pass: on RealTimeQA the answer
    sentence ranked among the first eight by the dense score alone for 84.8% of questions
    against 80.5% embedding each sentence by itself, on SQuAD 95.1 against 94.9%, and an ingest
    takes 40% less time (docs/answering.md). A sentence no chunk's pass read (cut off by the
    model's input length) is embedded by itself."""
    flat = [p for article_passages in passages for p in article_passages]
    chunk_vectors, span_vectors = encoder.encode_spans([p.text for p in flat], [p.spans for p in flat])
    pooled = iter(span_vectors)
    out: list[list[np.ndarray | None]] = []
    unread: list[tuple[int, int]] = []
    for a, layout in enumerate(layouts):
        sums: dict[int, np.ndarray] = {}
        for first, last in layout.chunks:
            for position, vector in zip(layout.facts(first, last), next(pooled), strict=True):
                if vector.any():
                    sums[position] = sums[position] + vector if position in sums else vector
        vectors: list[np.ndarray | None] = []
        for i, boiler in enumerate(layout.boilerplate):
            if boiler:
                vectors.append(None)
            elif i in sums:
                vectors.append(normalise(sums[i][None, :])[0])
            else:
                vectors.append(None)
                unread.append((a, i))
        out.append(vectors)
    if unread:
        alone = encoder.encode([articles[a].text[slice(*layouts[a].spans[i])] for a, i in unread])
        for (a, i), vector in zip(unread, alone, strict=True):
            out[a][i] = vector
    return chunk_vectors, out


class CorpusMissingError(UserError):
    """A folder or file given to ingest is not there."""


def check_paths(paths: Sequence[Path]) -> None:
    """Every path to ingest exists: one that does not is a mistyped name or an unmounted drive,
    and ingesting the others would say "removed" of nothing and succeed at the wrong thing."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise CorpusMissingError(
            f"No such folder or file: {', '.join(missing)}: give the folders or files that hold "
            "the articles (newsbot ingest PATH ...)."
        )


@dataclass
class Plan:
    """What an ingest will do, worked out from the files and the store without the model."""

    report: IngestReport
    changed: list[Article] = field(default_factory=list)  # to lay out, embed and store
    removals: list[str] = field(default_factory=list)
    also: dict[str, list[AlsoPublished]] = field(default_factory=dict)  # of the changed articles
    renamed: dict[str, list[AlsoPublished]] = field(default_factory=dict)  # of stored ones

    @property
    def writes(self) -> bool:
        return bool(self.changed or self.removals or self.renamed)


def plan(store: Archive, paths: Sequence[Path], params: IngestParams) -> Plan:
    """Read `paths` and compare them with the store: no model is needed, nothing is written."""
    check_paths(paths)
    report = IngestReport()
    read: list[Article] = []
    unreadable: set[str] = set()
    for root in paths:
        result = read_corpus(root, params)
        report.skipped += result.skipped
        report.warnings += result.warnings
        unreadable |= result.unreadable
        read += result.articles
    return _diff(store, read, report, paths, unreadable)


def plan_articles(store: Archive, articles: Sequence[Article]) -> Plan:
    """Articles read elsewhere (feeds) compared with the store: none is removed."""
    return _diff(store, articles, IngestReport(), [], set())


def _diff(
    store: Archive, read: Sequence[Article], report: IngestReport, roots: Sequence[Path], unreadable: set[str]
) -> Plan:
    """What writing the articles `read` from `roots` changes: those stored from inside `roots`
    and not read again (nor merely unreadable) go."""
    existing = store.article_index()
    found = identify(read, existing, roots, unreadable)
    report.skipped += found.skipped
    report.duplicates = found.duplicates
    # A text changed in place gets a new id (its fingerprint's): the article at its file is updated.
    replaced = {existing[r].source: r for r in found.removals}
    in_place: set[str] = set()
    changed: list[Article] = []
    for article_id, article in found.kept.items():
        before = existing.get(article_id)
        if before and before.content_hash == content_hash(article):
            report.unchanged += 1
            continue
        changed.append(article)
        was = replaced.get(article.source) if before is None else None
        if was is not None:
            in_place.add(was)
        if article.status is Status.RETRACTED:
            report.retracted.append(article_id)
        elif before or was:
            report.updated.append(article_id)
        else:
            report.added.append(article_id)
    report.removed = [r for r in found.removals if r not in in_place]

    def names(article_id: str) -> list[AlsoPublished]:
        if article_id in found.also:
            return found.also[article_id]
        return list(existing[article_id].also_published_as) if article_id in existing else []

    also = {a.article_id: names(a.article_id) for a in changed}
    renamed = {a: listed for a, listed in found.also.items() if a not in also}
    return Plan(report, changed, found.removals + found.merged, also, renamed)


def carry_out(
    store: Archive,
    encoder: Encoder,
    planned: Plan,
    params: IngestParams,
    progress: IngestProgress | None = None,
) -> IngestReport:
    """Write what `planned` says, in batches of `params.batch_articles` (one transaction each)."""
    changed, size = planned.changed, params.batch_articles
    in_chunk = sentences_in_chunk(store.meta())
    batches = [changed[n : n + size] for n in range(0, len(changed), size)] or (
        [[]] if planned.writes else []
    )
    if progress:
        progress.start(len(changed))
    try:
        # The next batch is laid out (pure Python: sentence splitting, periods) while the model
        # embeds this one and SQLite stores it, both of which release the interpreter's lock.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="layout") as layout:
            coming = [layout.submit(lay_out, batches[0], encoder, params)] if batches else []
            for n, batch in enumerate(batches):
                layouts = coming.pop().result()
                if n + 1 < len(batches):
                    coming.append(layout.submit(lay_out, batches[n + 1], encoder, params))
                first = n == 0
                prepared = prepare(batch, encoder, params, layouts, planned.also, in_chunk=in_chunk)
                store.apply(prepared, planned.removals if first else [], planned.renamed if first else {})
                if progress:
                    progress.advance(len(batch), sum(len(p.chunks) for p in prepared))
    finally:
        if progress:
            progress.close()
    if batches:  # an ingest that changes nothing writes nothing
        store.save_files()
    return planned.report


def ingest(
    store: Archive,
    encoder: Encoder,
    paths: Sequence[Path],
    params: IngestParams,
    *,
    progress: IngestProgress | None = None,
) -> IngestReport:
    return carry_out(store, encoder, plan(store, paths, params), params, progress)


def ingest_articles(
    store: Archive,
    encoder: Encoder,
    articles: Sequence[Article],
    params: IngestParams,
    *,
    progress: IngestProgress | None = None,
    names: Mapping[str, Sequence[AlsoPublished]] | None = None,
) -> IngestReport:
    """Adds and updates articles read elsewhere (feeds, an export); removes none. As `ingest`:
    only what changed, batch by batch, a text already stored kept once with its other names;
    `names` adds other names the articles are known by (those an export carries)."""
    planned = plan_articles(store, articles)
    for article_id, listed in (names or {}).items():
        if article_id in planned.also:
            known = planned.also[article_id]
            planned.also[article_id] = known + [n for n in listed if n not in known]
    return carry_out(store, encoder, planned, params, progress)
