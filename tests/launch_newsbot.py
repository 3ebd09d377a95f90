"""Runs `newsbot` in a child process the way tests need it, without test hooks in the package.

    python tests/launch_newsbot.py [--batch N] [--progress-seconds S] [--discord URL] [--gate FILE]
        -- NEWSBOT ARGS...

Always swaps the models for the HashingEncoder and the OverlapReranker, and the calibrated
threshold for theirs (FAKE_MODEL_PARAMS). `--batch` sets articles per ingest transaction
(small batches make an ingest long enough to be killed mid-write). `--progress-seconds` sets
the interval of an ingest's progress lines. `--discord` points discord.py
at a fake Discord. `--gate` holds every question until FILE exists, so a test can stop the bot
while an answer is in flight.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script, this folder is first on sys.path: the repository's root must be, so that `tests`
# is the package and tests/index/ and tests/bot/ do not shadow the real `index` and `bot`.
ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "tests"]

import bot.cli.commands  # noqa: E402
from index import Engine, IngestParams  # noqa: E402
from tests.fixtures.encoder import HashingEncoder  # noqa: E402
from tests.fixtures.reranker import FAKE_MODEL_PARAMS, OverlapReranker  # noqa: E402

GATE_TIMEOUT = 60.0


def hold_questions_until(gate: Path) -> None:
    ask = Engine.ask

    def gated_ask(self, *args, **kwargs):
        deadline = time.monotonic() + GATE_TIMEOUT
        while not gate.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return ask(self, *args, **kwargs)

    Engine.ask = gated_ask


def point_discord_at(url: str) -> None:
    import discord
    import yarl

    discord.http.Route.BASE = f"{url}/api/v10"
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"{url.replace('http', 'ws', 1)}/gateway")


def main(argv: list[str]) -> int:
    split = argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int)
    parser.add_argument("--progress-seconds", type=float)
    parser.add_argument("--discord")
    parser.add_argument("--gate", type=Path)
    options = parser.parse_args(argv[:split])

    bot.cli.commands.load_encoder = lambda model_dir=None, backend=None: HashingEncoder()
    bot.cli.commands.load_reranker = lambda folder=None, **options: OverlapReranker()
    ingest = {"batch_articles": options.batch, "progress_seconds": options.progress_seconds}
    given = {name: value for name, value in ingest.items() if value}
    bot.cli.commands.PARAMS = FAKE_MODEL_PARAMS.model_copy(update={"ingest": IngestParams(**given)})
    if options.discord:
        point_discord_at(options.discord)
    if options.gate:
        hold_questions_until(options.gate)
    from bot.cli import main as newsbot

    return newsbot(argv[split + 1 :])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
