"""`newsbot chat`: questions one after another, a follow-up ("and in 2022?") read against the
question it follows, with the line editing and history of a shell where a terminal is there."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Callable
from pathlib import Path

from index import Answer, UserError
from index.answering.question import analyse, is_follow_up

log = logging.getLogger(__name__)

# Questions kept in the history file: enough to find last week's again, small to read at start.
HISTORY_LINES = 1000
EXIT_WORDS = frozenset({"exit", "quit", ":q"})

Ask = Callable[[str, str | None], Answer]


def history_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "newsbot" / "chat_history"


def context_after(question: str, previous: str | None) -> str | None:
    """The question the next follow-up is read against: this one, unless it is itself a
    follow-up, whose context stays ("and in 2022?" then "and 2023?" both follow the first)."""
    try:
        follows = previous is not None and is_follow_up(question, analyse(question, dt.date.today()))
    except UserError:
        return previous
    return previous if follows else question


def converse(
    ask: Ask, read: Callable[[], str], show: Callable[[str], None], shown: Callable[[Answer], str]
) -> None:
    """Ask each question `read` gives (until it raises EOFError, or an exit word) and `show` its
    answer; a question that cannot be asked shows why, and the conversation goes on."""
    previous: str | None = None
    while True:
        try:
            question = read().strip()
        except EOFError:
            return
        if question.lower() in EXIT_WORDS:
            return
        if not question:
            continue
        try:
            answer = ask(question, previous)
        except UserError as exc:
            show(f"newsbot: {exc}\n")
            continue
        show(shown(answer) + "\n")
        previous = context_after(question, previous)


def with_history(run: Callable[[], None]) -> None:
    """`run` with readline's editing and the question history of earlier chats, saved after."""
    import readline

    path = history_file()
    with contextlib.suppress(OSError):  # none yet: a first chat
        readline.read_history_file(path)
    readline.set_history_length(HISTORY_LINES)
    try:
        run()
    finally:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)
        except OSError as exc:  # a read-only home: this chat's questions are not kept
            log.debug("could not save the chat history in %s: %s", path, exc)
