"""`newsbot` as a shell runs it: help and version, exit codes, pipes closed early, logging."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.bot.cli.conftest import launch_command
from tests.fixtures.paths import REPO_ROOT


def test_newsbot_without_a_command_prints_the_help(newsbot):
    done = newsbot()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: newsbot")
    for command in ("ingest", "ask", "search", "stats", "eval", "serve"):
        assert command in done.stdout
    assert "error" not in done.stderr


def test_version_prints_the_installed_version(newsbot):
    from importlib.metadata import version

    done = newsbot("--version")
    assert (done.returncode, done.stdout.strip()) == (0, f"newsbot {version('newsbot')}")


def test_a_reader_that_stops_early_ends_newsbot_quietly(newsbot, tmp_path, process_env, newsroom_corpus):
    index_dir = tmp_path / "index"
    assert newsbot("ingest", "--index-dir", index_dir, newsroom_corpus).returncode == 0
    for command in (["stats"], ["ask", "how many carjackings in 2021?"], ["search", "carjackings"]):
        # The reading end is closed before newsbot writes anything: `newsbot stats | head -0`.
        child = subprocess.Popen(
            launch_command(*command, "--index-dir", index_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=process_env,
        )
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        err = child.stderr.read().decode()
        assert child.wait(timeout=60) == 141, err
        assert err == "", "no traceback, no 'failed unexpectedly'"


# ---- ingest ---------------------------------------------------------------------------------


def assert_one_line_error(done) -> None:
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("newsbot: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_ingesting_a_path_that_does_not_exist_is_a_one_line_error(newsbot, tmp_path, newsroom_corpus):
    done = newsbot("ingest", "--index-dir", tmp_path / "index", newsroom_corpus, tmp_path / "nonexistent")
    assert_one_line_error(done)
    assert str(tmp_path / "nonexistent") in done.stderr and "newsbot ingest PATH" in done.stderr
    assert not (tmp_path / "index").exists(), "no index made for an ingest that did not run"


def test_ingest_with_no_corpus_folder_where_it_runs_is_a_one_line_error(newsbot, tmp_path):
    done = newsbot("ingest", "--index-dir", tmp_path / "index")
    assert_one_line_error(done)
    assert "No corpus/ folder in" in done.stderr and "newsbot ingest PATH" in done.stderr


def test_the_ingest_summary_says_where_the_index_is(newsbot, tmp_path, newsroom_corpus):
    done = newsbot("ingest", "--index-dir", tmp_path / "index", newsroom_corpus)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"index: {tmp_path / 'index'}"


# ---- ask on standard input ------------------------------------------------------------------

VERBATIM = "Lifeguards returned to 23 lakefront beaches on Monday, the park district said."


@pytest.fixture
def ingested(newsbot, tmp_path, newsroom_corpus) -> Path:
    index_dir = tmp_path / "index"
    done = newsbot("ingest", "--index-dir", index_dir, "-q", newsroom_corpus)
    assert done.returncode == 0, done.stderr
    return index_dir


def test_a_file_of_questions_is_answered_as_text_each_after_its_question(newsbot, ingested):
    done = newsbot(
        "ask", "--index-dir", ingested, stdin=f"{VERBATIM}\n\nhow many carjackings in 2019?\n".encode()
    )
    assert done.returncode == 0, done.stderr
    blocks = done.stdout.rstrip("\n").split("\n\n> ")
    assert len(blocks) == 3, "one block per line, the blank one too"
    assert blocks[0].startswith(f"> {VERBATIM}\n") and f'[1] "{VERBATIM}"' in blocks[0]
    assert blocks[1].startswith("\nnewsbot: The question is empty"), "a blank line is answered with why"
    assert blocks[2].startswith("how many carjackings in 2019?\nNot in the archive")


def test_jsonl_answers_line_n_of_the_input_on_line_n(newsbot, ingested):
    done = newsbot("ask", "--index-dir", ingested, "--json", stdin=f"\n{VERBATIM}\n   \n".encode())
    assert done.returncode == 0, done.stderr
    blank, answered, spaces = (json.loads(line) for line in done.stdout.splitlines())
    assert "empty" in blank["error"] and "empty" in spaces["error"]
    assert answered["citations"][0]["sentence"] == VERBATIM


def test_ask_with_nothing_on_standard_input_is_a_one_line_error(newsbot, ingested):
    assert_one_line_error(newsbot("ask", "--index-dir", ingested, "--json", stdin=b""))


def test_ask_with_no_question_at_a_terminal_says_how_to_ask(newsbot, ingested, process_env):
    leader, follower = pty.openpty()
    try:
        child = subprocess.run(
            launch_command("ask", "--index-dir", ingested),
            stdin=follower,
            capture_output=True,
            env=process_env,
            timeout=120,
        )
    finally:
        os.close(leader)
        os.close(follower)
    err = child.stderr.decode()
    assert child.returncode == 2 and err.count("\n") == 1, err
    assert "newsbot ask < questions.txt" in err and "newsbot chat" in err


# ---- chat -----------------------------------------------------------------------------------


def test_chat_reads_follow_ups_against_the_question_they_follow(newsbot, ingested):
    questions = "how many carjackings in 2021?\nand in 2019?\nand in 2018?\n"
    done = newsbot("chat", "--index-dir", ingested, "--explain", stdin=questions.encode())
    assert done.returncode == 0, done.stderr
    searched = [line for line in done.stdout.splitlines() if line.startswith("  searched as: ")]
    assert len(searched) == 3
    assert all("carjackings" in line for line in searched), searched
    assert "2019" in searched[1] and "2018" in searched[2] and "2019" not in searched[2]


def test_chat_at_a_terminal_keeps_the_questions_in_its_history(newsbot, ingested, process_env, tmp_path):
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        launch_command("chat", "--index-dir", ingested),
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=process_env,
    )
    os.close(follower)
    seen = b""
    try:
        for typed in (f"{VERBATIM}\n".encode(), b"\x04"):  # a question, then Ctrl-D
            while not seen.rstrip().endswith(b"?"):  # the prompt
                assert select.select([leader], [], [], 60)[0], f"no prompt after {seen!r}"
                seen += os.read(leader, 4096)
            os.write(leader, typed)
            seen = b""
        assert child.wait(timeout=60) == 0
    finally:
        os.close(leader)
    history = tmp_path / "xdg-state" / "newsbot" / "chat_history"
    assert VERBATIM in history.read_text()


# ---- ingest progress ------------------------------------------------------------------------

PROGRESS = re.compile(r"ingest: (\d+) of 30 articles, (starting|[\d.]+ chunks/s, about \w+ left)")


def test_an_ingest_nobody_watches_on_a_terminal_prints_progress_lines_at_an_interval(
    newsbot, tmp_path, write_article, corpus_dir
):
    for n in range(30):
        write_article(f"a{n:02}.md", f"Story {n} says the council met on Monday for the {n}th time.\n")
    done = newsbot(
        "ingest",
        "--index-dir",
        tmp_path / "index",
        corpus_dir,
        launcher=("--batch", "1", "--progress-seconds", "0.01"),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert PROGRESS.fullmatch(lines[0]) and lines[0].endswith("starting"), lines[:3]
    ticks = [PROGRESS.fullmatch(line) for line in lines[1:-1]]
    assert len(ticks) >= 2 and all(ticks), lines
    counts = [int(tick[1]) for tick in ticks if tick]
    assert counts == sorted(counts), "counting up"
    assert re.fullmatch(r"ingest: 30 of 30 articles in \w+", lines[-1])
    assert "\r" not in done.stderr, "no bar redrawn into a log"
    quiet = newsbot(
        "ingest", "-q", "--index-dir", tmp_path / "other", corpus_dir, launcher=("--progress-seconds", "0.01")
    )
    assert quiet.returncode == 0 and quiet.stderr == ""


# ---- the README's worked example ------------------------------------------------------------


def test_the_readmes_load_your_archive_example_prints_what_it_shows(newsbot, tmp_path):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Load your archive", 1)[1]
    command, rest = section.split("$ newsbot ingest ", 1)[1].split("\n", 1)
    shown = rest.split("\n\n", 1)[0]
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "archive_example", tmp_path / "archive")
    args = [arg.replace("/srv", str(tmp_path)) for arg in command.split()]
    done = newsbot("ingest", "-q", *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip("\n").replace(str(tmp_path), "/srv") == shown
