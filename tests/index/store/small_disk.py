"""Runs a scenario in a child process that has a small disk of its own: a tmpfs mounted in a
private mount namespace (`unshare`), so that a test can fill a real disk, or use a mount point as
the index folder, without root and without touching the machine's disks.

The scenario is Python source run after PRELUDE: `newsbot(*argv)` runs the command line in that
process with the HashingEncoder and `MIN_FREE` bytes kept free, returning its exit code and what
it printed; `args` are the paths given; the scenario prints one JSON object as its last line.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.paths import REPO_ROOT

TIMEOUT = 300.0  # seconds: a bound against hangs, never a measurement

PRELUDE = """
import contextlib, errno, io, json, sys
from pathlib import Path

import bot.cli.commands
from bot.cli import main
from index import EngineParams, StoreParams
from tests.fixtures.encoder import HashingEncoder

bot.cli.commands.load_encoder = lambda model_dir=None, backend=None: HashingEncoder()
bot.cli.commands.PARAMS = EngineParams(store=StoreParams(min_free_bytes=MIN_FREE))
args = [Path(a) for a in sys.argv[1:]]


def newsbot(*argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return {"code": code, "out": out.getvalue(), "err": err.getvalue()}


def fill(folder):
    \"\"\"Takes every free byte of the disk holding `folder`.\"\"\"
    with open(folder / "filler", "wb", buffering=0) as handle:
        for size in (1 << 16, 1 << 10, 1):
            try:
                while True:
                    handle.write(b"x" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
"""


def on_small_disk(mount: Path, kib: int, min_free: int, scenario: str, *args: Path) -> tuple[dict, str]:
    """(the scenario's JSON, the child's stderr), with a `kib` KiB tmpfs mounted at `mount`."""
    if not shutil.which("unshare"):
        pytest.skip("needs unshare (util-linux) for a private mount namespace")
    mount.mkdir(exist_ok=True)
    script = PRELUDE.replace("MIN_FREE", str(min_free)) + scenario
    run = shlex.join([sys.executable, "-c", script, *map(str, args)])
    command = f"mount -t tmpfs -o size={kib}k tmpfs {shlex.quote(str(mount))} && exec {run}"
    child = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", command],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=TIMEOUT,
    )
    if child.returncode != 0 and ("unshare" in child.stderr or "mount" in child.stderr.split("\n")[0]):
        pytest.skip(f"no private mount namespace here: {child.stderr.strip()}")
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout.splitlines()[-1]), child.stderr
