"""`newsbot serve` as a real process (tests/launch_newsbot.py: HashingEncoder, discord.py pointed
at the fake Discord) stopped with SIGTERM: the answer in flight still goes out, new questions are
told to come back, the database is closed cleanly, the exit code is 0, and a restart carries on
from the same archive."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.bot.discord_bot.fake_discord import EPHEMERAL, FakeDiscord, FakeFile
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION
from tests.bot.discord_bot.served import WAIT, Served
from tests.fixtures.paths import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

LAUNCHER = REPO_ROOT / "tests" / "launch_newsbot.py"
BIKES = b"""---
title: Bike thefts fell in 2023
url: https://news.example/bikes
---
In 2023, Chicago saw 1,234 bike thefts, according to police.
"""


@pytest.fixture
async def serve(fake: FakeDiscord, index_dir: Path, tmp_path: Path) -> AsyncIterator:
    started: list[Served] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(
        NEWSBOT_DISCORD_TOKEN=fake.token,
        NEWSBOT_NEWSROOM_CHANNEL_IDS=str(fake.newsroom_id),
        NEWSBOT_ADMIN_ROLE_IDS=str(fake.admin_role_id),
        NEWSBOT_COOLDOWN_SECONDS="0",
    )

    async def start(gate: Path, **settings: str) -> Served:
        """`settings`: more NEWSBOT_* variables for this process."""
        fake.ready = False
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            LAUNCHER,
            "--discord",
            f"http://127.0.0.1:{fake.port}",
            "--gate",
            gate,
            "--",
            "serve",
            "-v",
            "--index-dir",
            index_dir,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env={**env, **settings},
            cwd=tmp_path,
        )
        served = Served(process)
        started.append(served)
        await asyncio.wait_for(served.logged("slash commands synced"), WAIT)
        await fake.wait_until_ready(WAIT)
        return served

    yield start
    for served in started:
        if served.process.returncode is None:
            served.process.kill()
            await served.process.wait()


async def test_sigterm_lets_the_answer_in_flight_go_out_and_a_restart_carries_on(
    fake: FakeDiscord, serve, index_dir: Path, tmp_path: Path
) -> None:
    gate = tmp_path / "open"  # questions are held until this file exists
    served = await serve(gate)
    admin, reporter, latecomer = (fake.add_user(n, admin=n == "desk") for n in ("desk", "reporter", "late"))
    uploaded = await fake.response(
        await fake.slash(admin, fake.general_id, "ingest", file=FakeFile("bikes.md", BIKES)), WAIT
    )
    assert uploaded["embeds"][0]["description"].startswith("added 1")

    in_flight = await fake.slash(reporter, fake.general_id, "ask", question=CARJACKING_QUESTION)
    await fake.wait_for(lambda: in_flight.acked_at is not None)  # deferred: the engine has it
    served.process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(served.logged("stopping: finishing 1 answers in flight"), WAIT)

    refused = await fake.response(
        await fake.slash(latecomer, fake.general_id, "ask", question=CARJACKING_QUESTION), WAIT
    )
    assert refused["flags"] & EPHEMERAL and "restarting" in refused["content"]
    gate.touch()
    answer = await fake.response(in_flight, WAIT)
    assert "2,098" in answer["embeds"][0]["description"]

    assert await served.exit_code() == 0
    log = "".join(served.lines)
    assert "Traceback" not in log and fake.token not in log
    # The last connection closed cleanly: SQLite folded its write-ahead log back and removed it
    # (beside the database of the live build, where the index folder's link leads).
    assert not (index_dir / "newsbot.sqlite3").resolve().with_name("newsbot.sqlite3-wal").exists()

    restarted = await serve(gate)
    reporter_again = await fake.response(
        await fake.slash(reporter, fake.general_id, "ask", question="how many bike thefts in 2023?"),
        WAIT,
    )
    assert "1,234" in reporter_again["embeds"][0]["description"]  # the upload survived the stop
    restarted.process.send_signal(signal.SIGTERM)
    assert await restarted.exit_code() == 0


async def test_a_sharded_bot_answers_on_each_shard_and_sigterm_stops_it_cleanly(
    fake: FakeDiscord, serve, tmp_path: Path
) -> None:
    gate = tmp_path / "open"
    gate.touch()
    own_shard = (fake.guild_id >> 22) % 2
    _, other_channel = fake.add_guild("Metro desk", shard=(1 - own_shard, 2))
    served = await serve(gate, NEWSBOT_SHARDS="2")
    assert sorted(fake.identified_shards) == [[0, 2], [1, 2]]
    reporter = fake.add_user("reporter")
    for channel in (fake.general_id, other_channel, fake.dm_channel(reporter)):
        answer = await fake.response(
            await fake.slash(reporter, channel, "ask", question=CARJACKING_QUESTION), WAIT
        )
        assert "2,098" in answer["embeds"][0]["description"]
    served.process.send_signal(signal.SIGTERM)
    assert await served.exit_code() == 0
    assert "Traceback" not in "".join(served.lines)
