"""The engine as the Discord layer uses it: every call runs off the event loop, users are hashed,
and the handlers using it are counted, so that stopping the bot lets their replies go out."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Sequence

import httpx

from index import (
    Answer,
    ArticleFilter,
    ArticleInfo,
    Engine,
    FigureReport,
    GapReport,
    IngestReport,
    RefreshReport,
    SearchHit,
    Stats,
    Timeline,
    UserError,
)

from .identity import user_hash

log = logging.getLogger(__name__)
RESTARTING = "newsbot is restarting; ask again in a minute."


class Archive:
    def __init__(self, engine: Engine, *, salt: str, log_questions: bool) -> None:
        self._engine = engine
        self._salt = salt
        self._log_questions = log_questions
        self._in_flight: set[asyncio.Task] = set()
        self._stopping = False

    def user(self, user_id: int) -> str:
        return user_hash(self._salt, user_id)

    def _begin(self) -> None:
        """Counts the calling handler (one task per command, message or click) as in flight until
        it ends, reply included; once stopping, refuses new work (that refusal is sent too)."""
        task = asyncio.current_task()
        if task is not None and task not in self._in_flight:
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        if self._stopping:
            raise UserError(RESTARTING)

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def drain(self, grace: float) -> int:
        """Refuses new work and waits up to `grace` seconds for the handlers in flight to finish;
        returns how many are still running."""
        self._stopping = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while self._in_flight and (left := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._in_flight), timeout=left)
        return len(self._in_flight)

    async def ask(
        self,
        question: str,
        *,
        user_id: int,
        include_internal: bool,
        previous: str | None = None,
        filters: ArticleFilter | None = None,
        as_of: dt.date | None = None,
    ) -> Answer:
        self._begin()
        if self._log_questions:
            log.info(
                "question from user %s (internal=%s): %r",
                self.user(user_id)[:12],
                include_internal,
                question,
            )
        answer = await asyncio.to_thread(
            self._engine.ask,
            question,
            include_internal=include_internal,
            previous=previous,
            filters=filters,
            as_of=as_of,
        )
        if answer.abstained and self._log_questions:
            await self._keep_unanswered(question, user_id)
        return answer

    async def _keep_unanswered(self, question: str, user_id: int) -> None:
        """Keeps an abstention for the coverage report; failing to costs the user nothing."""
        try:
            await asyncio.to_thread(
                self._engine.record_abstention, user_hash=self.user(user_id), question=question
            )
        except Exception:
            log.warning("could not keep an unanswered question for the coverage report", exc_info=True)

    async def refresh(self, feeds: Sequence[str], client: httpx.Client) -> RefreshReport:
        """Not counted as in flight (a scheduled refresh has no reply to send); one stopped
        midway finishes its thread before the engine closes."""
        return await asyncio.to_thread(self._engine.refresh, feeds, client)

    async def coverage_gaps(self) -> GapReport:
        self._begin()
        return await asyncio.to_thread(self._engine.coverage_gaps)

    async def search(
        self, query: str, *, include_internal: bool, filters: ArticleFilter | None = None
    ) -> list[SearchHit]:
        self._begin()
        return await asyncio.to_thread(
            self._engine.search, query, include_internal=include_internal, filters=filters
        )

    async def figures(self, topic: str, *, include_internal: bool) -> FigureReport:
        self._begin()
        return await asyncio.to_thread(self._engine.figures, topic, include_internal=include_internal)

    async def find_articles(self, prefix: str, *, include_internal: bool) -> list[ArticleInfo]:
        # Autocomplete is not counted: a list of choices cannot carry a refusal, and an
        # unanswered one costs nothing.
        return await asyncio.to_thread(self._engine.find_articles, prefix, include_internal=include_internal)

    async def outlets(self, *, include_internal: bool) -> list[str]:
        # Not counted, like find_articles: autocomplete.
        return await asyncio.to_thread(self._engine.outlets, include_internal=include_internal)

    async def resolve_article(self, key: str, *, include_internal: bool) -> ArticleInfo | None:
        """An article by id (what autocomplete sends) or, when typed by hand, by title prefix."""
        self._begin()

        def resolve() -> ArticleInfo | None:
            info = self._engine.article(key, include_internal=include_internal)
            if info is not None:
                return info
            matches = self._engine.find_articles(key, include_internal=include_internal, limit=1)
            return matches[0] if matches else None

        return await asyncio.to_thread(resolve)

    async def stats(self) -> Stats:
        self._begin()
        return await asyncio.to_thread(self._engine.stats)

    async def ingest_upload(self, name: str, data: bytes) -> IngestReport:
        """Keeps the file in the index's uploads folder (a rebuild reads it again) and ingests it."""
        self._begin()
        return await asyncio.to_thread(lambda: self._engine.ingest([self._engine.save_upload(name, data)]))

    async def record_feedback(self, *, helpful: bool, user_id: int, question: str) -> None:
        self._begin()
        await asyncio.to_thread(
            self._engine.record_feedback,
            helpful=helpful,
            user_hash=self.user(user_id),
            # With question logging off, the question is not kept anywhere: not with feedback either.
            question=question if self._log_questions else None,
        )

    async def timeline(self, topic: str, *, include_internal: bool) -> Timeline:
        self._begin()
        return await asyncio.to_thread(self._engine.timeline, topic, include_internal=include_internal)
