"""Runs `newsbot` in a child process the way tests need it, without test hooks in the package.

    python tests/launch_newsbot.py [--batch N] [--discord URL] [--gate FILE] -- NEWSBOT ARGS...

Always swaps the model for the HashingEncoder. `--batch` sets articles per ingest transaction
(small batches make an ingest long enough to be killed mid-write). `--discord` points discord.py
at a fake Discord. `--gate` holds every question until FILE exists, so a test can stop the bot
while an answer is in flight.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script, this folder is first on sys.path, and tests/index/ and tests/bot/ would shadow
# the real `index` and `bot` packages (see tests/conftest.py).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import index.encoder  # noqa: E402
import index.ingest  # noqa: E402
from index.encoder import HashingEncoder  # noqa: E402
from index.engine import Engine  # noqa: E402

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
    parser.add_argument("--discord")
    parser.add_argument("--gate", type=Path)
    options = parser.parse_args(argv[:split])

    index.encoder.load_encoder = lambda model_dir=None, backend=None: HashingEncoder()
    if options.batch:
        index.ingest.BATCH_ARTICLES = options.batch
    if options.discord:
        point_discord_at(options.discord)
    if options.gate:
        hold_questions_until(options.gate)
    from bot.cli import main as newsbot

    return newsbot(argv[split + 1 :])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
