"""From corpus files to stored generations: read, diff against the store, prepare, write in
batches (one transaction each), then the files derived from the last one (once per ingest)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from ..encoders.base import Encoder
from ..models import Article, IngestReport, SkipReason, Status
from ..params import IngestParams
from ..store.records import PreparedArticle, PreparedChunk, PreparedSentence
from ..store.store import Store
from .corpus import read_corpus
from .layout import layout_article


def content_hash(article: Article) -> str:
    return hashlib.sha256(article.model_dump_json(exclude={"source"}).encode()).hexdigest()


def source_file(article: Article) -> str:
    """The file an article came from (JSONL sources carry ':line')."""
    path, _, line = article.source.rpartition(":")
    return path if line.isdigit() and path else article.source


def prepare(articles: Sequence[Article], encoder: Encoder, params: IngestParams) -> list[PreparedArticle]:
    """Lay out and embed a batch; all texts of the batch go to the model together."""
    layouts = [
        layout_article(a, encoder.count_tokens, params) if a.status is Status.PUBLISHED else None
        for a in articles
    ]
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
            PreparedArticle(
                article,
                content_hash(article),
                source_file(article),
                sentences,
                chunks,
                layout.note if layout is not None else None,
            )
        )
    return prepared


def _under(path: str, roots: Sequence[Path]) -> bool:
    for root in roots:
        root_str = str(root.resolve())
        if path == root_str or path.startswith(root_str.rstrip("/") + "/"):
            return True
    return False


def ingest(
    store: Store, encoder: Encoder, paths: Sequence[Path], params: IngestParams, *, progress: bool = False
) -> IngestReport:
    report = IngestReport()
    articles: dict[str, Article] = {}
    unreadable: set[str] = set()
    for root in paths:
        if not root.exists():
            report.skipped.append(SkipReason(source=str(root), reason="no such file or folder"))
            continue
        result = read_corpus(root)
        report.skipped += result.skipped
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
            report.removed.append(article_id)
        elif before:
            report.updated.append(article_id)
        else:
            report.added.append(article_id)
    readable_roots = [p for p in paths if p.exists()]
    removals = [
        article_id
        for article_id, (_, _, src) in existing.items()
        if article_id not in articles and src not in unreadable and _under(src, readable_roots)
    ]
    report.removed += removals

    size = params.batch_articles
    batches = [changed[n : n + size] for n in range(0, len(changed), size)] or ([[]] if removals else [])
    bar = tqdm(total=len(changed), unit="article", disable=not progress, desc="ingest")
    for n, batch in enumerate(batches):
        store.apply(prepare(batch, encoder, params), removals if n == 0 else [])
        bar.update(len(batch))
    bar.close()
    if batches:  # an ingest that changes nothing writes nothing
        store.save_files()
    return report


def ingest_articles(
    store: Store, encoder: Encoder, articles: Sequence[Article], params: IngestParams
) -> IngestReport:
    """Adds and updates articles read elsewhere (feeds); removes none. As `ingest`, batch by batch
    and only what changed."""
    report = IngestReport()
    existing = store.article_index()
    changed = []
    for article in {a.article_id: a for a in articles}.values():
        before = existing.get(article.article_id)
        if before and before[1] == content_hash(article):
            report.unchanged += 1
            continue
        changed.append(article)
        (report.updated if before else report.added).append(article.article_id)
    size = params.batch_articles
    for n in range(0, len(changed), size):
        store.apply(prepare(changed[n : n + size], encoder, params), [])
    if changed:
        store.save_files()
    return report
