"""`newsbot` in this process (`run`), and as a child process (tests/launch_newsbot.py: the
HashingEncoder in place of the model) for what is about the process: exit codes, pipes,
standard input, progress lines."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from tests.fixtures.paths import REPO_ROOT

LAUNCHER = REPO_ROOT / "tests" / "launch_newsbot.py"
Newsbot = Callable[..., subprocess.CompletedProcess]


def launch_command(*args: object, launcher: tuple[str, ...] = ()) -> list[str]:
    """The command line that runs `newsbot ARGS` with the HashingEncoder; `launcher` holds
    launch_newsbot.py's own options (--batch N, --progress-seconds S)."""
    return [sys.executable, str(LAUNCHER), *launcher, "--", *map(str, args)]


@pytest.fixture
def run(capsys):
    """run(*argv) -> (exit code, stdout, stderr) of `newsbot ARGV` called in this process."""

    def run_(*argv: object) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run_


@pytest.fixture
def newsbot(tmp_path: Path, process_env: dict[str, str]) -> Newsbot:
    """newsbot(*args, stdin=b"", cwd=None, launcher=()) -> the finished process, its output as
    text. It runs in an empty folder of its own unless `cwd` is given."""
    workdir = tmp_path / "cwd"
    workdir.mkdir(exist_ok=True)

    def run(
        *args: object, stdin: bytes = b"", cwd: Path | None = None, launcher: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess:
        done = subprocess.run(
            launch_command(*args, launcher=launcher),
            input=stdin,
            capture_output=True,
            cwd=cwd or workdir,
            env=process_env,
            timeout=120,
        )
        return subprocess.CompletedProcess(
            done.args, done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
        )

    return run
