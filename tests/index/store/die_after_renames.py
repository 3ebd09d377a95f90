"""Runs `newsbot` as tests/launch_newsbot.py does, and kills it with SIGKILL right after its Nth
rename of a file into FOLDER (whatever it was doing), so that a test can crash a command at
each of the steps where files on disk change.

    python tests/index/store/die_after_renames.py N FOLDER [LAUNCHER OPTIONS] -- NEWSBOT ARGS...
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

# As tests/launch_newsbot.py: the repository's root first, not this folder.
ROOT = Path(__file__).resolve().parents[3]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from tests import launch_newsbot  # noqa: E402


def die_after(renames: int, folder: Path) -> None:
    replace, done = os.replace, [0]

    def counted_replace(source, target, *args, **kwargs):
        replace(source, target, *args, **kwargs)
        if Path(target).absolute().is_relative_to(folder):
            done[0] += 1
            if done[0] == renames:
                os.kill(os.getpid(), signal.SIGKILL)

    os.replace = counted_replace


if __name__ == "__main__":
    die_after(int(sys.argv[1]), Path(sys.argv[2]).absolute())
    sys.exit(launch_newsbot.main(sys.argv[3:]))
