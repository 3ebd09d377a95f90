"""Runs `newsbot` as tests/launch_newsbot.py does, and kills it with SIGKILL right after its Nth
write (insert, upsert or delete) to the Milvus server, whatever it was doing: an ingest killed
mid-batch, between a delete and its insert, between a batch's rows and its article rows.

    python tests/index/archive/die_mid_write.py N [LAUNCHER OPTIONS] -- NEWSBOT ARGS...
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

# As tests/launch_newsbot.py: the repository's root first, not this folder.
ROOT = Path(__file__).resolve().parents[3]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent]

from pymilvus import MilvusClient  # noqa: E402

from tests import launch_newsbot  # noqa: E402


def die_after(writes: int) -> None:
    done = [0]

    def counted(write):
        def counted_write(self, *args, **kwargs):
            result = write(self, *args, **kwargs)
            done[0] += 1
            if done[0] == writes:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return counted_write

    for name in ("insert", "upsert", "delete"):
        setattr(MilvusClient, name, counted(getattr(MilvusClient, name)))


if __name__ == "__main__":
    die_after(int(sys.argv[1]))
    sys.exit(launch_newsbot.main(sys.argv[2:]))
