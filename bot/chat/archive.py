"""The engine as the Discord layer uses it: every call runs off the event loop, users are hashed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path

from index.engine import Engine
from index.models import Answer, ArticleInfo, IngestReport, SearchHit, Stats

from .identity import user_hash

log = logging.getLogger(__name__)


class Archive:
    def __init__(self, engine: Engine, *, salt: str, log_questions: bool) -> None:
        self._engine = engine
        self._salt = salt
        self._log_questions = log_questions

    def user(self, user_id: int) -> str:
        return user_hash(self._salt, user_id)

    async def ask(
        self, question: str, *, user_id: int, include_internal: bool, previous: str | None = None
    ) -> Answer:
        if self._log_questions:
            log.info(
                "question from user %s (internal=%s): %r",
                self.user(user_id)[:12],
                include_internal,
                question,
            )
        return await asyncio.to_thread(
            self._engine.ask, question, include_internal=include_internal, previous=previous
        )

    async def search(self, query: str, *, include_internal: bool) -> list[SearchHit]:
        return await asyncio.to_thread(
            self._engine.search, query, include_internal=include_internal
        )

    async def find_articles(self, prefix: str, *, include_internal: bool) -> list[ArticleInfo]:
        return await asyncio.to_thread(
            self._engine.find_articles, prefix, include_internal=include_internal
        )

    async def resolve_article(self, key: str, *, include_internal: bool) -> ArticleInfo | None:
        """An article by id (what autocomplete sends) or, when typed by hand, by title prefix."""

        def resolve() -> ArticleInfo | None:
            info = self._engine.article(key, include_internal=include_internal)
            if info is not None:
                return info
            matches = self._engine.find_articles(key, include_internal=include_internal, limit=1)
            return matches[0] if matches else None

        return await asyncio.to_thread(resolve)

    async def stats(self) -> Stats:
        return await asyncio.to_thread(self._engine.stats)

    async def ingest(self, paths: Sequence[Path]) -> IngestReport:
        return await asyncio.to_thread(self._engine.ingest, paths)

    async def record_feedback(self, *, helpful: bool, user_id: int, question: str) -> None:
        await asyncio.to_thread(
            self._engine.record_feedback,
            helpful=helpful,
            user_hash=self.user(user_id),
            question=question,
        )
