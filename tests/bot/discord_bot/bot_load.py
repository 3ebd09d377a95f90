"""The bot under load: N people send /ask at once to the real bot, measured end to end.

    python tests/bot/discord_bot/bot_load.py --questions 50 --rounds 5

Starts the fake Discord on 127.0.0.1 and the real bot (discord.py client, `NewsBot`, the real
all-MiniLM-L6-v2 on the default encoder backend) wired as the bot's tests wire them, over the
shipped corpus/ asked on 2022-08-01. Each round, `--questions` new users send /ask at the same
moment, a mix of answerable and unanswerable questions (tests/bot/seed_questions.py); the script
waits for every answer, checks it, and reports:

- acknowledgement latency: from the interaction being sent to the bot's "thinking…" callback
  (Discord drops an interaction not acknowledged within 3 s);
- time to the first and the last answer: from the moment the round's questions are sent to each
  finished answer arriving at the fake Discord;
- answers and abstentions, and whether each was the right one;
- the engine's own time: the same questions one after another without Discord, and each ask
  made during the rounds with its stages (from `Engine.ask`'s `lap` callback, the lock wait
  "wait" included).

It prints a Markdown report and writes it to docs/bot-load.md (`--output`, or `--no-write`).
Only 127.0.0.1 is contacted; set HF_HUB_OFFLINE=1 as for every run here.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import platform
import shlex
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
# Run as a script, this folder is first on sys.path: the repository's root must be, so that `tests`
# is the package and tests/bot/ does not shadow the real `bot` package.
sys.path[:] = [str(REPO_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

import discord  # noqa: E402

from bot.discord_bot.client import NewsBot  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.tools.bench import measure  # noqa: E402
from bot.wording import ingest_summary  # noqa: E402
from index import DEFAULT_BACKEND, Answer, Encoder, EncoderBackend, Engine, load_encoder  # noqa: E402
from tests.bot.discord_bot.fake_discord import ACK_DEADLINE, FakeDiscord, Interaction  # noqa: E402
from tests.bot.discord_bot.seed_questions import (  # noqa: E402
    NOT_IN_ARCHIVE,
    SEED_QUESTIONS,
    SEED_TODAY,
    answer_problem,
    mix,
)


@dataclass
class Call:
    """One `Engine.ask` as the bot made it: when it ran (monotonic) and its stages (seconds)."""

    start: float
    end: float
    stages: dict[str, float]


class TimedEngine(Engine):
    """The engine the bot is given, recording each `ask` with the seconds of its stages (`encode`,
    `wait` for the read lock and snapshot, `retrieve`, `read`, `compose`) from its `lap` callback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As `Engine`'s (`TimedEngine.open` builds one)."""
        super().__init__(*args, **kwargs)
        self.calls: list[Call] = []
        self._record = threading.Lock()

    def ask(
        self,
        question: str,
        *,
        include_internal: bool = False,
        previous: str | None = None,
        lap: Callable[[str], None] | None = None,
    ) -> Answer:
        laps = measure.Laps()

        def timed_lap(stage: str) -> None:
            laps.lap(stage)
            if lap is not None:
                lap(stage)

        start = time.monotonic()
        try:
            return super().ask(question, include_internal=include_internal, previous=previous, lap=timed_lap)
        finally:
            call = Call(start, time.monotonic(), laps.stages)
            with self._record:
                self.calls.append(call)


@dataclass
class Round:
    questions: int
    acks: list[float] = field(default_factory=list)  # seconds, sent -> acknowledged
    answers: list[float] = field(default_factory=list)  # seconds, round start -> answer arrived
    answered: int = 0
    abstained: int = 0
    wrong: list[str] = field(default_factory=list)
    late_acks: int = 0
    rate_limited: int = 0
    engine_calls: list[Call] = field(default_factory=list)
    started: float = 0.0

    @property
    def first(self) -> float:
        return min(self.answers, default=float("nan"))

    @property
    def last(self) -> float:
        return max(self.answers, default=float("nan"))

    @property
    def engine_busy(self) -> float:
        """Seconds during which at least one `ask` was running."""
        busy, until = 0.0, float("-inf")
        for start, end in sorted((c.start, c.end) for c in self.engine_calls):
            if end > until:
                busy += end - max(start, until)
                until = end
        return busy

    @property
    def max_overlap(self) -> int:
        events = sorted([(c.start, 1) for c in self.engine_calls] + [(c.end, -1) for c in self.engine_calls])
        running = peak = 0
        for _, step in events:
            running += step
            peak = max(peak, running)
        return peak

    @property
    def last_engine_start(self) -> float:
        """When the last question reached the engine, from the round's start: its queueing."""
        return max(c.start for c in self.engine_calls) - self.started

    def stage(self, name: str) -> list[float]:
        return [c.stages.get(name, 0.0) for c in self.engine_calls]


async def one_round(fake: FakeDiscord, timed: TimedEngine, number: int, count: int, timeout: float) -> Round:
    questions = mix(count)
    users = [fake.add_user(f"load{number}-{i}") for i in range(count)]
    requests_before = len(fake.requests)
    calls_before = len(timed.calls)
    result = Round(questions=count)

    async def answer(interaction: Interaction) -> tuple[dict | None, float]:
        try:
            message = await fake.response(interaction, timeout=timeout)
        except TimeoutError:
            return None, time.monotonic()
        return message, time.monotonic()

    result.started = started = time.monotonic()
    interactions: list[Interaction] = await asyncio.gather(
        *(
            fake.slash(u, fake.general_id, "ask", question=q)
            for u, (q, _) in zip(users, questions, strict=False)
        )
    )
    replies = await asyncio.gather(*(answer(i) for i in interactions))

    for interaction, (message, arrived), (question, expected) in zip(
        interactions, replies, questions, strict=False
    ):
        if interaction.acked_at is None:
            result.late_acks += 1
        else:
            ack = interaction.acked_at - interaction.sent_at
            result.acks.append(ack)
            result.late_acks += ack >= ACK_DEADLINE
        if message is None:
            result.wrong.append(f"{question!r}: no answer within {timeout} s")
            continue
        result.answers.append(arrived - started)
        problem = answer_problem(message, question, expected)
        if problem:
            result.wrong.append(problem)
        description = (message.get("embeds") or [{}])[0].get("description", "")
        if description.startswith(NOT_IN_ARCHIVE):
            result.abstained += 1
        else:
            result.answered += 1
    result.rate_limited = sum(s == 429 for _, _, s in fake.requests[requests_before:])
    result.engine_calls = timed.calls[calls_before:]
    return result


def machine() -> str:
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    system = f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    return f"{measure.machine()}{memory}; {system}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def report(
    rounds: list[Round],
    *,
    command: str,
    backend: EncoderBackend,
    encoder: Encoder,
    solo: list[Call],
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> str:
    acks = [a for r in rounds for a in r.acks]
    count = rounds[0].questions
    total = sum(r.questions for r in rounds)
    cores = measure.cpu_cores()
    workers = min(32, (os.cpu_count() or 1) + 4)  # asyncio's default executor (3.8+)
    calls = [c for r in rounds for c in r.engine_calls]
    alone = sum(c.end - c.start for c in solo)
    last = statistics.median(r.last for r in rounds)
    waits = [c.stages.get("wait", 0.0) for c in calls]
    held = [c.stages.get("retrieve", 0.0) + c.stages.get("read", 0.0) for c in calls]

    def median_stage(group: list[Call], name: str) -> float:
        return statistics.median(c.stages.get(name, 0.0) for c in group)

    lines = [
        "# The bot under load",
        "",
        f"{count} people send `/ask` at the same moment to the real bot (discord.py against the "
        "fake Discord on 127.0.0.1, the real all-MiniLM-L6-v2), over the shipped `corpus/` asked "
        f"on {SEED_TODAY}; {len(rounds)} rounds, each with {count} new users and two answerable "
        "questions for each one the archive cannot answer. Produced by `tests/bot/discord_bot/bot_load.py`; "
        "`tests/bot/discord_bot/test_e2e_load.py` checks the same without timing it.",
        "",
        f"- Command: `{command}`",
        f"- Date: {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Machine: {machine()}; the machine may be shared with other work: load average "
        f"(1 min) {load_before[0]:.2f} before the run, {load_after[0]:.2f} after",
        f"- Encoder: `{encoder.name}`, backend `{backend}` ({encoder.describe()})",
        f"- Questions: {count} per round, {total} in all: {sum(r.answered for r in rounds)} "
        f"answered, {sum(r.abstained for r in rounds)} abstained; "
        f"{total - sum(len(r.wrong) for r in rounds)} of {total} as expected",
        f"- Acknowledged within Discord's {ACK_DEADLINE:.0f} s: "
        f"{total - sum(r.late_acks for r in rounds)} of {total}; acknowledgement latency "
        f"p50 {ms(statistics.median(acks))}, max {ms(max(acks))}",
        f"- First answer: median {ms(statistics.median(r.first for r in rounds))} over the rounds; "
        f"**last answer: median {ms(last)}, worst {ms(max(r.last for r in rounds))}**",
        f"- The same {count} questions one after another on the engine alone (no Discord): "
        f"{ms(alone)}, {ms(statistics.median(c.end - c.start for c in solo))} each at the median",
        "",
        "| Round | Ack p50 | Ack max | First answer | Last answer | Answered | Abstained | Wrong "
        "| 429s | Engine busy | Asks at once (max) | Last ask started | Lock wait max |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, r in enumerate(rounds, 1):
        lines.append(
            f"| {number} | {ms(statistics.median(r.acks))} | {ms(max(r.acks))} | {ms(r.first)} "
            f"| {ms(r.last)} | {r.answered} | {r.abstained} | {len(r.wrong)} | {r.rate_limited} "
            f"| {ms(r.engine_busy)} | {r.max_overlap} | {ms(r.last_engine_start)} "
            f"| {ms(max(r.stage('wait')))} |"
        )
    lines += [
        "",
        "*Ack*: from the fake Discord sending INTERACTION_CREATE to its receiving the bot's "
        'deferral ("thinking…"). *First/last answer*: from the round\'s questions being sent to '
        "each finished answer (the edited original message) reaching the fake Discord. *Engine "
        "busy*: time during which at least one `Engine.ask` ran. *Last ask started*: when the last "
        "question reached the engine, from the round's start. *Lock wait*: an ask's wait for the "
        "engine's read lock and snapshot (`Engine.ask`'s `wait` stage).",
        "",
        "## What the numbers say",
        "",
        f"- Acknowledgement does not depend on the engine: the bot defers each interaction before "
        f"asking, and the slowest of {total} deferrals took {ms(max(acks))}.",
        f"- The answers are not serialised on the engine's lock: an ask waited at most "
        f"{ms(max(waits))} for it (all waits together {ms(sum(waits))}) and holds it for retrieval "
        f"and reading, {statistics.median(held) * 1000:.1f} ms at the median.",
        f"- They are serialised on the CPU: the last answer came {ms(last)} after the questions, "
        f"against {ms(alone)} for the same questions one after another on the engine alone "
        f"({last / alone:.1f}×). The bot runs each ask in asyncio's default thread pool "
        f"({workers} workers for {cores} cores); up to {max(r.max_overlap for r in rounds)} ran "
        f"at once, each taking {ms(statistics.median(c.end - c.start for c in calls))} at the "
        f"median instead of {ms(statistics.median(c.end - c.start for c in solo))} alone "
        f"(encoding the question {ms(median_stage(calls, 'encode'))} instead of "
        f"{ms(median_stage(solo, 'encode'))}; composing, which encodes sentences too, "
        f"{ms(median_stage(calls, 'compose'))} instead of {ms(median_stage(solo, 'compose'))}). "
        f"The last question reached the engine "
        f"{ms(statistics.median(r.last_engine_start for r in rounds))} into the round (median): "
        "that long it queued behind the others before its own ask began.",
        "- The fake Discord, the bot and the engine's threads share one process and these "
        f"{cores} cores, and the fake adds no network latency; on a shared machine other work "
        "lengthens the times, hence the load average above.",
    ]
    wrong = [w for r in rounds for w in r.wrong]
    if wrong:
        lines += ["", "Wrong answers:", "", *(f"- {w}" for w in wrong)]
    return "\n".join(lines) + "\n"


async def run(args: argparse.Namespace, command: str) -> str:
    load_before = os.getloadavg()
    started = time.monotonic()
    encoder = load_encoder(backend=args.backend)
    loaded = time.monotonic() - started
    print(f"model loaded in {loaded:.1f} s ({encoder.name}, {args.backend})", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        timed = TimedEngine.open(Path(tmp) / "index", encoder, create=True, today=lambda: SEED_TODAY)
        assert isinstance(timed, TimedEngine)  # `open` builds the class it is called on
        try:
            print(ingest_summary(timed.ingest([args.corpus])), file=sys.stderr)
            for question, _ in SEED_QUESTIONS:  # warm-up: every question shape compiled once
                timed.ask(question)
            del timed.calls[:]
            for question, _ in mix(args.questions):  # the baseline: one after another
                timed.ask(question)
            solo, timed.calls = timed.calls, []

            fake = FakeDiscord()
            await fake.start()
            # As tests/bot/conftest.py does: discord.py reads both at call time.
            discord.http.Route.BASE = fake.api_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = fake.gateway_url
            settings = Settings(
                _env_file=None,
                index_dir=Path(tmp) / "index",
                discord_token=fake.token,
                newsroom_channel_ids=[fake.newsroom_id],
                admin_role_ids=[fake.admin_role_id],
                cooldown_seconds=0,
                encoder_backend=args.backend,
            )
            client = NewsBot(settings=settings, engine=timed, guild_ready_timeout=0.01)
            task = asyncio.create_task(client.start(fake.token))
            try:
                await asyncio.wait_for(client.wait_until_ready(), 30)
                rounds: list[Round] = []
                for number in range(1, args.rounds + 1):
                    result = await one_round(fake, timed, number, args.questions, args.timeout)
                    rounds.append(result)
                    print(
                        f"round {number}: ack max {ms(max(result.acks))}, first answer "
                        f"{ms(result.first)}, last {ms(result.last)}, wrong {len(result.wrong)}",
                        file=sys.stderr,
                    )
                    await asyncio.sleep(args.pause)
            finally:
                await client.close()
                await asyncio.wait_for(task, 10)
                await fake.stop()
            problems = (
                fake.unhandled
                + [f"pinged {p}" for p in fake.pings]
                + [f"refused {r.method} {r.path}: {r.errors or r.code}" for r in fake.refusals]
            )
            if problems:
                raise SystemExit("the fake Discord saw problems: " + "; ".join(problems))
        finally:
            timed.close()
    return report(
        rounds,
        command=command,
        backend=args.backend,
        encoder=encoder,
        solo=solo,
        load_before=load_before,
        load_after=os.getloadavg(),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=50, help="people asking at once")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each with new users")
    parser.add_argument(
        "--backend", type=EncoderBackend, choices=list(EncoderBackend), default=DEFAULT_BACKEND
    )
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT / "corpus")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between rounds")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait per answer")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "docs" / "bot-load.md")
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    args = parser.parse_args(argv)
    if args.questions < 1 or args.rounds < 1:
        parser.error("--questions and --rounds must be at least 1")
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    shown = ["python", "tests/bot/discord_bot/bot_load.py", *(argv if argv is not None else sys.argv[1:])]
    text = asyncio.run(run(args, shlex.join(shown)))
    print(text)
    if not args.no_write:
        args.output.write_text(text, encoding="utf-8")
        print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
