"""One page over HTTP: conditional, polite, capped in time and size, allowed by robots.txt, with
redirects followed one hop at a time so that each hop is checked the same way."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from ..params import FeedParams
from .pacing import HostPacer
from .records import Validators
from .robots import MAX_ROBOTS_BYTES, RobotsUnavailable, rules_for

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_NO_VERSION = Validators()
# httpx's `is_redirect` counts 304 among redirects.
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchFailed(Exception):
    """The message is the reason, for the refresh report (the page is tried again next time)."""


@dataclass(frozen=True)
class Fetched:
    url: str  # where the body came from, after redirects
    body: bytes
    content_type: str
    validators: Validators


def http_client(params: FeedParams, *, trust_env: bool = True) -> httpx.Client:
    """The client a refresh is given: its user agent, no automatic redirects (the fetcher follows
    them itself). Tests pass `trust_env=False` so that no proxy setting takes them off loopback."""
    return httpx.Client(
        headers={"User-Agent": params.user_agent}, follow_redirects=False, trust_env=trust_env
    )


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


class Fetcher:
    """Fetches for one refresh: robots.txt is read once per host per refresh."""

    def __init__(
        self,
        client: httpx.Client,
        params: FeedParams,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self._client = client
        self._params = params
        self._clock = clock
        self._pacer = HostPacer(params.host_interval_s, clock, sleep)
        self._robots: dict[str, RobotFileParser | str] = {}  # origin -> rules, or why unreadable

    def get(
        self, url: str, validators: Validators = _NO_VERSION, *, types: Collection[str] = ()
    ) -> Fetched | None:
        """The page at `url`, or None when the server says the version `validators` name is
        current (304). `types`: the media types accepted (any when empty). Raises FetchFailed."""
        seen: list[str] = []
        for _ in range(self._params.max_redirects + 1):
            if url in seen:
                raise FetchFailed(f"redirect loop ({' -> '.join([*seen, url])})")
            seen.append(url)
            self._check_allowed(url)
            response = self._request(url, validators.headers() if len(seen) == 1 else {}, types)
            if isinstance(response, str):
                url = response
                continue
            return response
        raise FetchFailed(f"more than {self._params.max_redirects} redirects")

    def _check_allowed(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchFailed(f"not an http(s) address: {url[:200]}")
        rules = self._rules(f"{parts.scheme}://{parts.netloc}")
        if isinstance(rules, str):
            raise FetchFailed(rules)
        if not rules.can_fetch(self._params.user_agent, url):
            raise FetchFailed(f"robots.txt of {parts.netloc} forbids it")

    def _rules(self, origin: str) -> RobotFileParser | str:
        if origin not in self._robots:
            try:
                status, body = self._robots_txt(origin + "/robots.txt")
                self._robots[origin] = rules_for(status, body)
            except (RobotsUnavailable, FetchFailed) as exc:
                self._robots[origin] = f"robots.txt of {urlsplit(origin).netloc} unreadable ({exc})"
        return self._robots[origin]

    def _robots_txt(self, url: str) -> tuple[int, bytes]:
        """robots.txt's status and body, its redirects followed (RFC 9309: at least five)."""
        for _ in range(5):
            self._pace(url)
            try:
                with self._client.stream("GET", url, timeout=self._params.timeout_s) as response:
                    if response.status_code in _REDIRECTS and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    return response.status_code, self._read(response, MAX_ROBOTS_BYTES, truncate=True)
            except httpx.TimeoutException:
                raise FetchFailed(f"no answer within {self._params.timeout_s:g} s") from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchFailed(f"{type(exc).__name__}: {exc}") from None
        return 404, b""  # RFC 9309 2.3.1.2: past five redirects, as if there were none

    def _pace(self, url: str) -> None:
        host = urlsplit(url).netloc
        origin = f"{urlsplit(url).scheme}://{host}"
        rules = self._robots.get(origin)
        delay = rules.crawl_delay(self._params.user_agent) if isinstance(rules, RobotFileParser) else None
        self._pacer.wait(host, min(float(delay), self._params.max_crawl_delay_s) if delay else None)

    def _request(self, url: str, headers: dict[str, str], types: Collection[str]) -> Fetched | str | None:
        """The page, the address a redirect points to, or None for 304."""
        self._pace(url)
        try:
            with self._client.stream("GET", url, headers=headers, timeout=self._params.timeout_s) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchFailed(f"HTTP {response.status_code} redirect without a Location")
                    return urljoin(url, location)
                if response.status_code == 304:
                    return None
                if response.status_code >= 400 or response.status_code < 200:
                    raise FetchFailed(f"HTTP {response.status_code}")
                kind = _media_type(response)
                if types and kind not in types:
                    raise FetchFailed(f"not an HTML page ({kind or 'no content type'})")
                body = self._read(response, self._params.max_page_bytes)
                return Fetched(
                    url=url,
                    body=body,
                    content_type=kind,
                    validators=Validators(
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                    ),
                )
        except httpx.TimeoutException:
            raise FetchFailed(f"no answer within {self._params.timeout_s:g} s") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchFailed(f"request failed ({type(exc).__name__}: {exc})") from None

    def _read(self, response: httpx.Response, limit: int, *, truncate: bool = False) -> bytes:
        """The body, up to `limit` bytes (over it: FetchFailed, or cut with `truncate`), within
        the timeout from the first byte to the last (httpx's read timeout is per chunk: a server
        trickling bytes would never trip it)."""
        declared = response.headers.get("content-length", "")
        if not truncate and declared.isdigit() and int(declared) > limit:
            raise FetchFailed(f"over {limit:,} bytes ({int(declared):,} declared)")
        deadline = self._clock() + self._params.timeout_s
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                if truncate:
                    return bytes(body[:limit])
                raise FetchFailed(f"over {limit:,} bytes")
            if self._clock() > deadline:
                raise FetchFailed(f"not received within {self._params.timeout_s:g} s")
        return bytes(body)
