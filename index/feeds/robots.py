"""robots.txt rules (RFC 9309) read with the standard library's parser."""

from __future__ import annotations

from urllib.robotparser import RobotFileParser

# RFC 9309 2.5: a robots.txt larger than this may be cut here.
MAX_ROBOTS_BYTES = 500 * 1024


class RobotsUnavailable(Exception):
    """The host's robots.txt could not be read (5xx, no connection): assume it forbids all."""


def allow_all() -> RobotFileParser:
    rules = RobotFileParser()
    rules.parse([])
    return rules


def rules_for(status: int, body: bytes) -> RobotFileParser:
    """The rules a robots.txt answer gives: its text for 2xx, none for other 4xx (RFC 9309 2.3.1.3:
    the crawler may access any resource); a 5xx is RobotsUnavailable (2.3.1.4: complete disallow)."""
    if 200 <= status < 300:
        rules = RobotFileParser()
        rules.parse(body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").splitlines())
        return rules
    if 400 <= status < 500:
        return allow_all()
    raise RobotsUnavailable(f"robots.txt answered HTTP {status}")
