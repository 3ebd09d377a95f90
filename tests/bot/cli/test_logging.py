"""What `-v` and `-vv` let through: newsbot's own debug lines first, the libraries' only when
asked twice."""

from __future__ import annotations

import logging

import pytest

from bot.cli import OWN_LOGGERS, configure_logging

LIBRARIES = ("faiss.loader", "pydot", "openvino")


@pytest.fixture(autouse=True)
def restore_levels():
    loggers = [logging.getLogger(), *map(logging.getLogger, OWN_LOGGERS)]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def debug_shown(name: str) -> bool:
    return logging.getLogger(name).isEnabledFor(logging.DEBUG)


def test_without_v_only_warnings_are_shown():
    configure_logging(0)
    assert not any(debug_shown(n) for n in ("index.engine", "bot.cli.commands", *LIBRARIES))
    assert logging.getLogger("index.engine").isEnabledFor(logging.WARNING)


def test_v_shows_newsbots_debug_lines_and_keeps_the_libraries_quiet():
    configure_logging(1)
    assert debug_shown("index.engine") and debug_shown("bot.cli.commands") and debug_shown("newsbot")
    assert not any(debug_shown(n) for n in LIBRARIES)


def test_vv_shows_the_libraries_too():
    configure_logging(2)
    assert all(debug_shown(n) for n in ("index.engine", *LIBRARIES))
