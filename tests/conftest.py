"""Engine fixtures shared by tests/index/, tests/test_cli.py and tests/test_ask_e2e.py.

Unit tests use the deterministic `HashingEncoder` and temporary directories. Tests that need the
real all-MiniLM-L6-v2 model are marked `slow` and share one model load and one ingested index of
the shipped corpus per session. Fixtures for the Discord layer live in tests/bot/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import os
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest
import yaml

from index import AnswerParams, Encoder, Engine, EngineParams, Reranker
from index.archive.location import RemoteLocation
from index.archive.milvus.archive import MilvusArchive
from index.archive.protocol import Archive
from index.ingest.corpus import read_corpus
from index.models import Article
from index.params import RerankParams
from index.store.store import Store
from tests.fixtures.articles import BEACHES, CARJACKINGS_2021, ZEPPELIN_MEMO
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.milvus_server import milvus_server
from tests.fixtures.paths import SEED_CORPUS, SEED_TODAY, SQUAD_FILE
from tests.fixtures.reranker import FAKE_MODEL_PARAMS, OverlapReranker
from tests.fixtures.squad import squad_sentences_and_questions

# ---- paths and small articles ---------------------------------------------------------------


@pytest.fixture(scope="session")
def seed_corpus_dir() -> Path:
    """The shipped corpus/ folder (two Chicago articles)."""
    return SEED_CORPUS


@pytest.fixture(scope="session")
def seed_articles() -> dict[str, Article]:
    """The shipped articles by article_id, read with the absolute corpus path (as ingested here)."""
    result = read_corpus(SEED_CORPUS)
    assert not result.skipped, result.skipped
    return {a.article_id: a for a in result.articles}


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "corpus"
    directory.mkdir()
    return directory


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def write_article(corpus_dir: Path) -> Callable[..., Path]:
    """write_article(name, body, directory=None, **front_matter) -> path of the written file.

    The body is dedented; front matter is written only when fields are given.
    """

    def write(name: str, body: str, directory: Path | None = None, **meta: object) -> Path:
        path = (directory or corpus_dir) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = textwrap.dedent(body).lstrip("\n")
        if meta:
            text = "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + text
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def newsroom_corpus(corpus_dir: Path, write_article) -> Path:
    """Three small articles: a public one with boilerplate, an internal memo, and one without
    front matter (title from its first line)."""
    write_article(
        "carjackings-2021.md",
        CARJACKINGS_2021,
        title="Chicago carjackings reached a record in 2021",
        url="https://news.example/2022/01/carjackings-2021",
        published="2022-01-05",
        outlet="Example Tribune",
    )
    write_article(
        "zeppelin-memo.md",
        ZEPPELIN_MEMO,
        title="Desk memo: zeppelin budget",
        url="https://intranet.example/memos/zeppelin",
        published="2022-02-01",
        outlet="Newsroom memo",
        visibility="internal",
    )
    write_article("beaches.txt", BEACHES)
    return corpus_dir


STORY_DAY = dt.date(2024, 3, 8)


@pytest.fixture
def two_stories_corpus(corpus_dir: Path, write_article) -> Path:
    """Two articles on one topic: an old one worded like "what did the council vote on the transit
    budget and bus fare?", which wins on fused rank, and the story of `STORY_DAY`, worded less
    like it."""
    write_article(
        "old.md",
        "The council voted on the transit budget and the bus fare after a long transit budget debate.\n",
        title="Council transit budget vote",
        published="2023-01-10",
    )
    write_article(
        "today.md",
        "Aldermen settled the bus fare at a late meeting, ending the budget row.\n",
        title="Fare settled",
        published=STORY_DAY.isoformat(),
    )
    return corpus_dir


@pytest.fixture
def process_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a child newsbot: none of the machine's NEWSBOT_* settings, its data
    and cache folders under the test's temporary folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env |= {"XDG_DATA_HOME": str(tmp_path / "xdg-data"), "XDG_CACHE_HOME": str(tmp_path / "xdg-cache")}
    env |= {"XDG_STATE_HOME": str(tmp_path / "xdg-state")}
    return env


# ---- engines --------------------------------------------------------------------------------


@pytest.fixture
def encoder() -> HashingEncoder:
    return HashingEncoder()


CITE_EVERYTHING = AnswerParams(
    threshold=-1.0,
    dense_margin=10.0,
    max_answers=100,
    max_citations=100,
    related=100,
    rerank=RerankParams(depth=1000),
)


@pytest.fixture
def cite_everything() -> EngineParams:
    """Parameters under which every retrieved sentence that is not ruled out by its period is
    cited: for a small archive and a 'what' question, every visible sentence."""
    return EngineParams(answer=CITE_EVERYTHING)


@pytest.fixture(scope="session")
def milvus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteLocation]:
    """A Milvus server on 127.0.0.1 for the session (tests/fixtures/milvus_server.py); each
    archive on it has collections of its own."""
    directory = tmp_path_factory.mktemp("milvus")
    with milvus_server(directory / "data", log=directory / "server.log") as location:
        yield location


@pytest.fixture
def backend() -> str:
    """The archive `open_engine` opens: "embedded" (an index folder), or "remote" (Milvus), for
    the tests tests/fixtures/backends.py runs against both."""
    return "embedded"


@pytest.fixture
def remote_archives() -> dict[Path, str]:
    """The collections of the remote archive `open_engine` opened for each directory."""
    return {}


@pytest.fixture
def open_engine(
    index_dir: Path,
    encoder: HashingEncoder,
    backend: str,
    remote_archives: dict[Path, str],
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., Engine]]:
    """open_engine(params=None, directory=None, create=True) -> an Engine with the HashingEncoder
    and the OverlapReranker, asked on SEED_TODAY, on the `backend` archive (for "remote", one
    archive on the test server per directory); closed at teardown."""
    opened: list[Engine] = []

    def open_(
        params: EngineParams | None = None, directory: Path | None = None, create: bool = True
    ) -> Engine:
        folder = directory or index_dir
        common = {
            "reranker": OverlapReranker(),
            "create": create,
            "params": params or FAKE_MODEL_PARAMS,
            "today": lambda: SEED_TODAY,
        }
        if backend == "remote":
            engine = Engine.open_remote(
                request.getfixturevalue("milvus"),
                encoder,
                token="",
                collections=remote_archives.setdefault(folder, f"t{uuid.uuid4().hex[:12]}"),
                uploads=folder / "uploads",
                **common,
            )
        else:
            engine = Engine.open(folder, encoder, **common)
        opened.append(engine)
        return engine

    yield open_
    for engine in opened:
        engine.close()


@pytest.fixture
def open_archive(
    index_dir: Path, backend: str, remote_archives: dict[Path, str], request: pytest.FixtureRequest
) -> Iterator[Callable[[], Archive]]:
    """open_archive() -> the archive `open_engine()` opened, opened again as the engine opens it
    (for the calls answering makes of it); closed at teardown."""
    archives: list[Archive] = []

    def open_() -> Archive:
        archive: Archive
        if backend == "remote":
            archive = MilvusArchive.connect(
                request.getfixturevalue("milvus"),
                token="",
                prefix=remote_archives[index_dir],
                model=None,
                dimension=None,
                create=False,
                uploads=index_dir / "uploads",
            )
        else:
            archive = Store.open(index_dir, "hashing-test-encoder", 384, create=False)
        archives.append(archive)
        return archive

    yield open_
    for archive in archives:
        archive.close()


@pytest.fixture(scope="session")
def real_encoder() -> Encoder:
    """The bundled all-MiniLM-L6-v2, loaded once per session (slow tests only)."""
    from index import load_encoder

    return load_encoder()


@pytest.fixture(scope="session")
def real_reranker() -> Reranker:
    """The bundled cross-encoder, loaded once per session (slow tests only)."""
    from index import load_reranker

    params = AnswerParams().rerank
    return load_reranker(max_tokens=params.max_tokens, threads=params.threads)


def open_seed_engine(directory: Path, encoder: Encoder, reranker: Reranker | None = None) -> Engine:
    """The shipped corpus ingested into `directory` with `encoder`, asked on SEED_TODAY."""
    engine = Engine.open(directory, encoder, reranker=reranker, create=True, today=lambda: SEED_TODAY)
    report = engine.ingest([SEED_CORPUS])
    assert len(report.added) == 2 and not report.skipped, report
    return engine


@pytest.fixture(scope="session")
def seed_engine(
    real_encoder: Encoder, real_reranker: Reranker, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The shipped corpus ingested once with the real models, asked on SEED_TODAY."""
    engine = open_seed_engine(tmp_path_factory.mktemp("seed-index"), real_encoder, real_reranker)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def squad_text() -> tuple[list[str], list[str]]:
    """Sentences (over 30 characters) and questions of the SQuAD 2.0 file beside the repo: real
    text nobody here wrote, for checks that need real embeddings."""
    if not SQUAD_FILE.exists():
        pytest.skip(f"{SQUAD_FILE} is not here")
    return squad_sentences_and_questions()
