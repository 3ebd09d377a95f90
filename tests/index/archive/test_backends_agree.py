"""One archive answers alike from either back end: the gold sets' questions asked of the
embedded archive and of the Milvus one, both ingested from the same files with the real models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.tools.evaluation.gold import GoldQuestion, load_gold
from index import Encoder, Engine, Reranker
from index.archive.location import RemoteLocation
from tests.fixtures.paths import GOLD_QUESTIONS, REPO_ROOT, SEED_CORPUS, SEED_TODAY

pytestmark = [pytest.mark.slow, pytest.mark.remote]

GOLD_SETS = {
    "gold": (GOLD_QUESTIONS, SEED_CORPUS),
    "newsroom": (REPO_ROOT / "tests" / "gold" / "newsroom.jsonl", REPO_ROOT / "tests" / "gold" / "newsroom"),
}


@pytest.fixture(scope="module", params=sorted(GOLD_SETS))
def both(
    request: pytest.FixtureRequest,
    real_encoder: Encoder,
    real_reranker: Reranker,
    milvus: RemoteLocation,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[list[GoldQuestion], Engine, Engine]]:
    """(questions, the embedded engine, the remote engine) of one gold set."""
    questions, corpus = GOLD_SETS[request.param]
    folder = tmp_path_factory.mktemp(f"agree-{request.param}")
    embedded = Engine.open(
        folder / "index", real_encoder, reranker=real_reranker, create=True, today=lambda: SEED_TODAY
    )
    remote = Engine.open_remote(
        milvus,
        real_encoder,
        token="",
        collections=f"agree_{uuid.uuid4().hex[:12]}",
        uploads=folder / "uploads",
        reranker=real_reranker,
        create=True,
        today=lambda: SEED_TODAY,
    )
    try:
        assert embedded.ingest([corpus]).added == remote.ingest([corpus]).added
        yield load_gold(questions), embedded, remote
    finally:
        embedded.close()
        remote.close()


def test_every_gold_question_gets_the_same_answer_from_both_archives(both):
    questions, embedded, remote = both
    differ = [
        q.question
        for q in questions
        if embedded.ask(q.question, previous=q.previous, as_of=q.as_of)
        != remote.ask(q.question, previous=q.previous, as_of=q.as_of)
    ]
    assert differ == []
