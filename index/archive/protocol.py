"""What answering, ingest and the engine need of an archive, whichever back end holds it: the
embedded one (index/store/: SQLite and FAISS files in an index folder) or a distributed vector
engine (index/archive/milvus/). Both answer the same calls with the same data, so that an
archive moved between them (`newsbot export` / `newsbot import`) answers alike."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

import numpy as np

from ..feeds.records import FeedState, PageState
from ..models import ArticleFilter, ArticleInfo, Source
from ..params import RetrievalParams
from ..store.records import (
    AlsoPublished,
    PreparedArticle,
    StoredArticle,
    StoredCopy,
    StoredFigure,
    StoredSentence,
)

FeedbackRow = tuple[str, int, str, str | None]  # created, helpful, user hash, question
AbstentionRow = tuple[str, str, str]  # created, user hash, question


class Archive(Protocol):
    """One open connection to an archive. Not thread-safe: the engine serialises its readers and
    gives each writer a connection of its own (`reopened`)."""

    model: str  # the embedding model its vectors are of, and their dimension
    dimension: int

    @property
    def location(self) -> str:
        """Where it is, for people (a folder, or a server's address without credentials)."""
        ...

    @property
    def uploads(self) -> Path:
        """The folder files sent for ingesting are kept in."""
        ...

    # ---- connections ---------------------------------------------------------------------

    def current(self) -> Archive:
        """This connection, or, when it went stale (a rebuild made another build live), its
        successor, this one closed."""
        ...

    def reopened(self) -> Archive:
        """Another connection to the same archive: a writer of its own beside the readers."""
        ...

    def close(self) -> None: ...

    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside see the archive as one writer left it (see each back end for how much)."""
        ...

    def generation(self) -> int:
        """How many writes the archive has taken: caches keyed by it stay right."""
        ...

    # ---- writing (ingest) ----------------------------------------------------------------

    def article_index(self) -> dict[str, StoredArticle]:
        """Every stored article by id, with what an ingest compares files against."""
        ...

    def apply(
        self,
        upserts: Sequence[PreparedArticle],
        removals: Sequence[str],
        also: Mapping[str, Sequence[AlsoPublished]] | None = None,
    ) -> None:
        """Replace and remove articles; `also` gives stored articles their new lists of other names."""
        ...

    def save_files(self) -> None:
        """What an ingest does once at its end (the embedded archive writes its vector file)."""
        ...

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
        """The best chunk ids by dense and full-text rank fused (index.archive.fusion), among the
        articles this audience may see (with `retracted`, the retracted ones instead) that
        `filters` lets through."""
        ...

    def chunk_sentences(self, chunk_ids: Sequence[int]) -> dict[int, list[StoredSentence]]:
        """The non-boilerplate sentences of each chunk, in order."""
        ...

    def chunk_article_rows(self, chunk_ids: Sequence[int]) -> dict[int, int]: ...

    def chunk_figures(self, chunk_ids: Sequence[int], include_internal: bool) -> list[StoredFigure]:
        """The figures of these chunks' sentences, in articles this audience may see, each once."""
        ...

    def sources(self, article_rows: Iterable[int]) -> dict[int, Source]: ...

    def term_idf(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency over chunks; a term no chunk holds weighs the most."""
        ...

    def has_retracted(self) -> bool: ...

    def outlets(self, include_internal: bool) -> list[str]:
        """The outlets this audience may see, as written, once each whatever their case, sorted."""
        ...

    def outlet_named(self, name: str, include_internal: bool) -> str | None:
        """The outlet this audience may see that `name` names (case and spaces ignored), or None."""
        ...

    def find_article(self, article_id: str, include_internal: bool) -> ArticleInfo | None: ...

    def articles_by_title(self, fragment: str, include_internal: bool, limit: int) -> list[ArticleInfo]: ...

    # ---- what the archive keeps besides articles -----------------------------------------

    def counts(self) -> dict[str, int]:
        """articles (published), sentences, chunks, retracted, internal."""
        ...

    def vector_count(self) -> int:
        """How many chunk vectors are searched."""
        ...

    def meta(self) -> dict[str, str]: ...

    def record_feedback(self, helpful: bool, user_hash: str, question: str | None) -> None: ...

    def add_feedback(self, rows: Sequence[FeedbackRow]) -> None: ...

    def feedback(self) -> list[FeedbackRow]:
        """Every feedback row, oldest first."""
        ...

    def feedback_counts(self) -> tuple[int, int]:
        """(helpful, not helpful)."""
        ...

    def add_abstentions(self, rows: Sequence[AbstentionRow]) -> None: ...

    def abstentions(self) -> list[AbstentionRow]:
        """Every abstention kept, oldest first."""
        ...

    def unanswered(self, limit: int) -> list[str]:
        """The newest `limit` questions abstained on or whose answer was marked not helpful."""
        ...

    def feed_state(self) -> tuple[dict[str, FeedState], dict[str, PageState]]: ...

    def save_feed_state(
        self, feeds: Sequence[FeedState], pages: Sequence[PageState], summary: str
    ) -> None: ...

    # ---- moving an archive (index/transfer/) ---------------------------------------------

    def copies(self) -> Iterator[StoredCopy]:
        """Every stored article, retracted and internal ones too, with the texts the model
        embedded for it (its sentences, then its chunks) and their vectors as stored."""
        ...

    def copied(self, article_ids: Sequence[str]) -> tuple[int, int, int]:
        """How many of these articles are stored, with how many sentences and chunks."""
        ...
