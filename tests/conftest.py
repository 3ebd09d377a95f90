"""Engine fixtures shared by tests/index/, tests/test_cli.py and tests/test_ask_e2e.py.

Unit tests use the deterministic `HashingEncoder` and temporary directories. Tests that need the
real all-MiniLM-L6-v2 model are marked `slow` and share one model load and one ingested index of
the shipped corpus per session. Fixtures for the Discord layer live in tests/bot/conftest.py.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# pytest's default import mode puts tests/ on sys.path, and tests/index/ and tests/bot/ would then
# shadow the real `index` and `bot` packages as namespace packages. Import the real ones first.
_TESTS_DIR = str(Path(__file__).resolve().parent)
while _TESTS_DIR in sys.path:
    sys.path.remove(_TESTS_DIR)
import bot  # noqa: E402,F401
import index  # noqa: E402,F401

sys.path.insert(0, _TESTS_DIR)

import pytest  # noqa: E402
import yaml  # noqa: E402

from index.answering import AnswerParams  # noqa: E402
from index.corpus import read_corpus  # noqa: E402
from index.encoder import HashingEncoder  # noqa: E402
from index.engine import Engine  # noqa: E402
from index.models import Article  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = REPO_ROOT / "corpus"
# The day the seed questions are asked: after both seed articles were published.
SEED_TODAY = dt.date(2022, 8, 1)


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


CARJACKINGS_2021 = """\
    In 2021, Chicago saw nearly 2,098 carjackings, according to the Cook County Sheriff's Office.
    The sheriff said the anti-carjacking sticker program would expand to every suburb.

    WATCH: Video of the sticker program launch on the Dan Ryan Expressway

    Sign up for our morning newsletter to get the latest headlines.
    """
ZEPPELIN_MEMO = """\
    The zeppelin desk budget is 4,512,000 dollars for the hangar coverage, the finance desk said.
    """
BEACHES = """\
    Lake Michigan beaches reopen
    Lifeguards returned to 23 lakefront beaches on Monday, the park district said.
    """


@pytest.fixture
def newsroom_corpus(corpus_dir: Path, write_article) -> Path:
    """Three small articles: a public one with boilerplate, an internal memo, and one without
    front matter (title from its first line)."""
    write_article(
        "carjackings-2021.md", CARJACKINGS_2021,
        title="Chicago carjackings reached a record in 2021",
        url="https://news.example/2022/01/carjackings-2021",
        published="2022-01-05", outlet="Example Tribune",
    )
    write_article(
        "zeppelin-memo.md", ZEPPELIN_MEMO,
        title="Desk memo: zeppelin budget", url="https://intranet.example/memos/zeppelin",
        published="2022-02-01", outlet="Newsroom memo", visibility="internal",
    )
    write_article("beaches.txt", BEACHES)
    return corpus_dir


# ---- engines --------------------------------------------------------------------------------


@pytest.fixture
def encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture
def cite_everything() -> AnswerParams:
    """Answer parameters under which every retrieved sentence that is not ruled out by its period
    is cited: for a small archive and a 'what' question, every visible sentence."""
    return AnswerParams(
        threshold=-1.0, margin=10.0, dense_margin=10.0, max_answers=100, max_citations=100,
        related=100,
    )


@pytest.fixture
def open_engine(index_dir: Path, encoder: HashingEncoder) -> Iterator[Callable[..., Engine]]:
    """open_engine(params=None, directory=None, create=True) -> an Engine with the HashingEncoder,
    asked on SEED_TODAY; closed at teardown."""
    opened: list[Engine] = []

    def open_(params: AnswerParams | None = None, directory: Path | None = None, create: bool = True) -> Engine:
        options = {"today": lambda: SEED_TODAY}
        if params is not None:
            options["params"] = params
        engine = Engine.open(directory or index_dir, encoder, create=create, **options)
        opened.append(engine)
        return engine

    yield open_
    for engine in opened:
        engine.close()


@pytest.fixture(scope="session")
def real_encoder():
    """The bundled all-MiniLM-L6-v2, loaded once per session (slow tests only)."""
    from index.encoder import load_encoder

    return load_encoder()


def open_seed_engine(directory: Path, encoder) -> Engine:
    """The shipped corpus ingested into `directory` with `encoder`, asked on SEED_TODAY."""
    engine = Engine.open(directory, encoder, create=True, today=lambda: SEED_TODAY)
    report = engine.ingest([SEED_CORPUS])
    assert len(report.added) == 2 and not report.skipped, report.summary()
    return engine


@pytest.fixture(scope="session")
def seed_engine(real_encoder, tmp_path_factory) -> Iterator[Engine]:
    """The shipped corpus ingested once with the real model, asked on SEED_TODAY."""
    engine = open_seed_engine(tmp_path_factory.mktemp("seed-index"), real_encoder)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def seed_engine_with() -> Callable[[Path, object], Engine]:
    """seed_engine_with(directory, encoder): the seed engine for another encoder; close it after."""
    return open_seed_engine


@pytest.fixture(scope="session")
def squad_text() -> tuple[list[str], list[str]]:
    """Sentences (over 30 characters) and questions of the SQuAD 2.0 file beside the repo: real
    text nobody here wrote, for checks that need real embeddings."""
    import json
    import re

    path = REPO_ROOT.parent / "shared" / "data" / "squad-v2.0-dev-half.json"
    if not path.exists():
        pytest.skip(f"{path} is not here")
    paragraphs = [p for doc in json.loads(path.read_text())["data"] for p in doc["paragraphs"]]
    sentences = [
        s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p["context"]) if len(s) > 30
    ]
    return sentences, [qa["question"] for p in paragraphs for qa in p["qas"]]

