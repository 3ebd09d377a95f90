"""From corpus files to stored generations: read, diff against the store, prepare, write in
batches (one transaction each), then the files derived from the last one (once per ingest)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tqdm import tqdm

from ..encoders.base import Encoder
from ..errors import UserError
from ..models import Article, IngestReport, SkipReason, Status
from ..params import IngestParams
from ..store.records import PreparedArticle, PreparedChunk, PreparedSentence
from ..store.store import Store
from .corpus import read_corpus
from .layout import ArticleLayout, layout_article


def content_hash(article: Article) -> str:
    return hashlib.sha256(article.model_dump_json(exclude={"source"}).encode()).hexdigest()


def source_file(article: Article) -> str:
    """The file an article came from (JSONL sources carry ':line')."""
    path, _, line = article.source.rpartition(":")
    return path if line.isdigit() and path else article.source


Layouts = list[ArticleLayout | None]


def lay_out(articles: Sequence[Article], encoder: Encoder, params: IngestParams) -> Layouts:
    """Sentences, periods and chunks of each published article of a batch (no model call but
    the tokenizer's counts)."""
    return [
        layout_article(a, encoder.count_tokens, params) if a.status is Status.PUBLISHED else None
        for a in articles
    ]


def prepare(
    articles: Sequence[Article], encoder: Encoder, params: IngestParams, layouts: Layouts | None = None
) -> list[PreparedArticle]:
    """Embed a batch laid out (by `lay_out`, here when `layouts` is not given); all texts of the
    batch go to the model together."""
    if layouts is None:
        layouts = lay_out(articles, encoder, params)
    texts = [layout.chunk_texts(a) if layout else [] for a, layout in zip(articles, layouts, strict=True)]
    sentence_vectors = iter(
        encoder.encode(
            [
                article.text[s:e]
                for article, layout in zip(articles, layouts, strict=True)
                if layout
                for (s, e), boiler in zip(layout.spans, layout.boilerplate, strict=True)
                if not boiler
            ]
        )
    )
    chunk_vectors = iter(encoder.encode([t for article_texts in texts for t in article_texts]))
    prepared = []
    for article, layout, article_texts in zip(articles, layouts, texts, strict=True):
        sentences: list[PreparedSentence] = []
        chunks: list[PreparedChunk] = []
        if layout is not None:
            for i, ((start, end), boiler) in enumerate(zip(layout.spans, layout.boilerplate, strict=True)):
                sentences.append(
                    PreparedSentence(
                        position=i,
                        paragraph=layout.paragraphs[i],
                        start=start,
                        end=end,
                        boilerplate=boiler,
                        periods=layout.periods[i],
                        vector=None if boiler else next(sentence_vectors),
                    )
                )
            for n, ((first, last), text) in enumerate(zip(layout.chunks, article_texts, strict=True)):
                chunks.append(
                    PreparedChunk(
                        position=n,
                        first_sentence=first,
                        last_sentence=last,
                        start=layout.spans[first][0],
                        end=layout.spans[last][1],
                        text=text,
                        vector=next(chunk_vectors),
                    )
                )
        prepared.append(
            PreparedArticle(article, content_hash(article), source_file(article), sentences, chunks)
        )
    return prepared


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


def _under(path: str, roots: Sequence[Path]) -> bool:
    for root in roots:
        root_str = str(root.resolve())
        if path == root_str or path.startswith(root_str.rstrip("/") + "/"):
            return True
    return False


def ingest(
    store: Store, encoder: Encoder, paths: Sequence[Path], params: IngestParams, *, progress: bool = False
) -> IngestReport:
    check_paths(paths)
    report = IngestReport()
    articles: dict[str, Article] = {}
    unreadable: set[str] = set()
    for root in paths:
        result = read_corpus(root, params)
        report.skipped += result.skipped
        report.warnings += result.warnings
        unreadable |= result.unreadable
        for article in result.articles:
            if article.article_id in articles:
                report.skipped.append(
                    SkipReason(
                        source=article.source,
                        reason=f"same id as {articles[article.article_id].source} ({article.article_id})",
                    )
                )
                continue
            articles[article.article_id] = article

    existing = store.article_index()
    changed: list[Article] = []
    for article_id, article in articles.items():
        before = existing.get(article_id)
        if before and before[1] == content_hash(article):
            report.unchanged += 1
            continue
        changed.append(article)
        if article.status is Status.RETRACTED:
            report.retracted.append(article_id)
        elif before:
            report.updated.append(article_id)
        else:
            report.added.append(article_id)
    removals = [
        article_id
        for article_id, (_, _, src) in existing.items()
        if article_id not in articles and src not in unreadable and _under(src, paths)
    ]
    report.removed += removals

    size = params.batch_articles
    batches = [changed[n : n + size] for n in range(0, len(changed), size)] or ([[]] if removals else [])
    bar = tqdm(total=len(changed), unit="article", disable=not progress, desc="ingest")
    # The next batch is laid out (pure Python: sentence splitting, periods) while the model
    # embeds this one and SQLite stores it, both of which release the interpreter's lock.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="layout") as layout:
        coming = [layout.submit(lay_out, batches[0], encoder, params)] if batches else []
        for n, batch in enumerate(batches):
            layouts = coming.pop().result()
            if n + 1 < len(batches):
                coming.append(layout.submit(lay_out, batches[n + 1], encoder, params))
            store.apply(prepare(batch, encoder, params, layouts), removals if n == 0 else [])
            bar.update(len(batch))
    bar.close()
    if batches:  # an ingest that changes nothing writes nothing
        store.save_files()
    return report
