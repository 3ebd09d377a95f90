"""Several bot processes on one archive kept by a Milvus server (the test server on 127.0.0.1):
two `newsbot serve` processes, each the bot of its own Discord application (a fake Discord
each), answer alike while a third process ingests, and both answer from what it ingested as
soon as it is done."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from index.archive.location import RemoteLocation
from tests.bot.discord_bot.fake_discord import FakeDiscord
from tests.bot.discord_bot.newsroom_articles import CARJACKING_QUESTION, write_articles
from tests.bot.discord_bot.served import WAIT, Served
from tests.fixtures.paths import REPO_ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.remote, pytest.mark.asyncio(loop_scope="session")]

LAUNCHER = REPO_ROOT / "tests" / "launch_newsbot.py"
FERRY = """---
title: Ferry passengers rose in 2023
outlet: Harbour Ledger
---
In 2023, the harbour ferry carried 412,000 passengers, the operator said.
"""


@pytest.fixture
async def fakes() -> AsyncIterator[list[FakeDiscord]]:
    """Two Discord applications, each its own fake Discord (and bot token)."""
    started = [FakeDiscord(token=f"fake-token-{n}") for n in (1, 2)]
    for fake in started:
        await fake.start()
    yield started
    for fake in started:
        await fake.stop()


@pytest.fixture
def archive_env(milvus: RemoteLocation, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    env.update(
        NEWSBOT_ARCHIVE_URL=f"milvus://{milvus.host}:{milvus.port}",
        NEWSBOT_ARCHIVE_COLLECTIONS=f"t{uuid.uuid4().hex[:12]}",
        NEWSBOT_COOLDOWN_SECONDS="0",
        XDG_DATA_HOME=str(tmp_path / "xdg"),
    )
    return env


async def newsbot(env: dict[str, str], cwd: Path, *args: object) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, LAUNCHER, *map(str, args), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, env=env, cwd=cwd,
    )  # fmt: skip


@pytest.fixture
async def serve(
    archive_env: dict[str, str], tmp_path: Path
) -> AsyncIterator[Callable[..., Awaitable[Served]]]:
    started: list[Served] = []

    async def start(fake: FakeDiscord, name: str) -> Served:
        folder = tmp_path / name  # each process its own index folder (uploads): the archive is shared
        folder.mkdir()
        env = {**archive_env, "NEWSBOT_DISCORD_TOKEN": fake.token, "NEWSBOT_INDEX_DIR": str(folder)}
        process = await newsbot(
            env, folder, "--discord", f"http://127.0.0.1:{fake.port}", "--", "serve", "-v"
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


async def ask(fake: FakeDiscord, question: str) -> str:
    reporter = fake.add_user(f"reporter-{uuid.uuid4().hex[:6]}")
    answer = await fake.response(await fake.slash(reporter, fake.general_id, "ask", question=question), WAIT)
    return str(answer["embeds"][0]["description"])


async def test_two_bot_processes_answer_alike_while_a_third_ingests(
    fakes: list[FakeDiscord], serve, archive_env: dict[str, str], tmp_path: Path
) -> None:
    corpus = write_articles(tmp_path / "corpus")
    first = await newsbot(archive_env, tmp_path, "--", "ingest", "--quiet", corpus)
    assert await asyncio.wait_for(first.wait(), WAIT * 4) == 0, (await first.stderr.read()).decode()
    bots = [await serve(fake, f"bot-{n}") for n, fake in enumerate(fakes)]

    answers = [await ask(fake, CARJACKING_QUESTION) for fake in fakes]
    assert "2,098" in answers[0] and answers[0] == answers[1]

    (corpus / "ferry-2023.md").write_text(FERRY, encoding="utf-8")
    for n in range(30):  # an ingest of many batches, long enough to be asked during
        (corpus / f"timetable-{n}.md").write_text(f"Timetable {n}: the ferry leaves pier {n} at dawn.\n")
    ingesting = await newsbot(archive_env, tmp_path, "--batch", "1", "--", "ingest", "--quiet", corpus)
    rounds = 0
    while ingesting.returncode is None or rounds < 2:
        during = await asyncio.gather(*(ask(fake, CARJACKING_QUESTION) for fake in fakes))
        assert during == answers  # what was there answers the same in both meanwhile
        rounds += 1
        await asyncio.sleep(0.05)
    assert await asyncio.wait_for(ingesting.wait(), WAIT * 4) == 0, (await ingesting.stderr.read()).decode()

    after = [await ask(fake, "How many passengers did the harbour ferry carry in 2023?") for fake in fakes]
    assert "412,000" in after[0] and after[0] == after[1]
    for served in bots:
        served.process.send_signal(signal.SIGTERM)
        assert await served.exit_code() == 0
        assert "Traceback" not in "".join(served.lines)
