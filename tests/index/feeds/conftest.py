from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from index import EngineParams
from index.feeds.fetch import http_client
from index.params import FeedParams
from tests.fixtures.news_site import NewsSite, serve_site
from tests.fixtures.reranker import FAKE_MODEL_PARAMS
from tests.fixtures.riverton import build_riverton

# Short enough for the slow page to fail fast, long enough for a loaded machine's good pages.
FEED_PARAMS = FeedParams(timeout_s=1.0, max_page_bytes=50_000, host_interval_s=0)


@pytest.fixture
def site() -> Iterator[NewsSite]:
    """The Riverton Ledger on 127.0.0.1."""
    site = NewsSite()
    server = serve_site(site)
    next(server)
    build_riverton(site)
    yield site
    server.close()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with http_client(FEED_PARAMS, trust_env=False) as client:
        yield client


@pytest.fixture
def feed_params() -> EngineParams:
    """The fakes' answer threshold (as open_engine's), polite to the loopback site without waiting."""
    return FAKE_MODEL_PARAMS.model_copy(update={"feeds": FEED_PARAMS})
