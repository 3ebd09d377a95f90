"""The bot under load, end to end: fifty people ask at once, with the real all-MiniLM-L6-v2 over
the shipped corpus (the session's one model load and index, shared with tests/test_ask_e2e.py).

Every interaction must be acknowledged within Discord's 3 seconds (the fake refuses a later
callback, as Discord does) and get its own right answer. Nothing here asserts how long the
answers took: `python tests/bot/discord_bot/bot_load.py` measures that (docs/bot-load.md).
"""

from __future__ import annotations

import asyncio

import pytest

from index.engine import Engine
from tests.bot.discord_bot.fake_discord import ACK_DEADLINE, FakeDiscord
from tests.bot.discord_bot.seed_questions import answer_problem, mix

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

PEOPLE = 50
RATE_LIMITED = 3  # answers Discord refuses once with 429 before taking them
ANSWER_TIMEOUT = 60.0  # a hang fails the test; how long answers take is the benchmark's business


@pytest.fixture
def engine(seed_engine: Engine) -> Engine:
    """The bot's engine: the shipped corpus with the real model (asked on the seed questions'
    day, SEED_TODAY), instead of the HashingEncoder over the newsroom articles."""
    return seed_engine


def failed_requests(fake: FakeDiscord) -> list[tuple[str, str, int]]:
    return [r for r in fake.requests if r[2] >= 400 and r[2] != 429]


async def test_fifty_concurrent_asks_are_acknowledged_in_time_and_answered(fake: FakeDiscord, bot) -> None:
    for _ in range(RATE_LIMITED):
        fake.rate_limit("PATCH", r"/messages/@original$", retry_after=0.1)
    questions = mix(PEOPLE)
    users = [fake.add_user(f"reporter{i}") for i in range(PEOPLE)]
    interactions = await asyncio.gather(
        *(
            fake.slash(user, fake.general_id, "ask", question=question)
            for user, (question, _) in zip(users, questions, strict=True)
        )
    )
    answers = await asyncio.gather(*(fake.response(i, timeout=ANSWER_TIMEOUT) for i in interactions))

    # Discord's contract: acknowledged ("thinking…") within 3 seconds, or the interaction is lost.
    assert all(i.response_type == 5 for i in interactions)
    late = [i.acked_at - i.sent_at for i in interactions if i.acked_at - i.sent_at >= ACK_DEADLINE]
    assert not late, f"{len(late)} interactions acknowledged after {ACK_DEADLINE} s: {late}"

    # Each person got the answer to their own question, in the interaction's original message.
    problems = [
        problem
        for answer, (question, expected) in zip(answers, questions, strict=True)
        if (problem := answer_problem(answer, question, expected))
    ]
    assert not problems, problems
    assert len({a["id"] for a in answers}) == PEOPLE
    assert all(
        a["id"] == str(i.original_id) and not i.followup_ids
        for a, i in zip(answers, interactions, strict=True)
    )
    assert 0 < sum(expected is None for _, expected in questions) < PEOPLE  # both kinds asked

    # The 429s were waited out and retried: every answer went through once, nothing else failed.
    statuses = [s for m, path, s in fake.requests if m == "PATCH" and path.endswith("/@original")]
    assert statuses.count(429) == RATE_LIMITED and statuses.count(200) == PEOPLE
    assert not fake.refusals and not failed_requests(fake)
    assert not fake.pings


@pytest.mark.parametrize("where", ["dm", "newsroom mention"])
async def test_fifty_concurrent_messages_are_all_answered(fake: FakeDiscord, bot, where: str) -> None:
    fake.rate_limit("POST", r"/channels/\d+/messages$", retry_after=0.1)
    questions = mix(PEOPLE)
    users = [fake.add_user(f"reporter{i}") for i in range(PEOPLE)]
    if where == "dm":
        sent = await asyncio.gather(
            *(
                fake.send_message(user, fake.dm_channel(user), question)
                for user, (question, _) in zip(users, questions, strict=True)
            )
        )
        channels = [int(m["channel_id"]) for m in sent]
    else:
        sent = await asyncio.gather(
            *(
                fake.send_message(user, fake.newsroom_id, question, mention_bot=True)
                for user, (question, _) in zip(users, questions, strict=True)
            )
        )
        channels = [int(m["id"]) for m in sent]  # a thread started from a message has its id

    def answered() -> list[dict] | None:
        replies = [fake.bot_messages(c) for c in channels if c in fake.channels]
        if len(replies) < PEOPLE or not all(replies):
            return None
        return [r[0] for r in replies]

    answers = await fake.wait_for(answered, timeout=ANSWER_TIMEOUT)

    assert all(len(fake.bot_messages(c)) == 1 for c in channels)  # one answer each, no retries
    problems = [
        problem
        for answer, (question, expected) in zip(answers, questions, strict=True)
        if (problem := answer_problem(answer, question, expected))
    ]
    assert not problems, problems
    if where == "dm":
        assert all(
            int(a["message_reference"]["message_id"]) == int(m["id"])
            for a, m in zip(answers, sent, strict=True)
        )
    else:
        assert len(fake.threads()) == PEOPLE
        assert fake.bot_messages(fake.newsroom_id) == []
    posts = [s for m, path, s in fake.requests if m == "POST" and path.endswith("/messages")]
    assert posts.count(429) == 1 and posts.count(200) == PEOPLE
    assert not fake.refusals and not failed_requests(fake)
    assert not fake.pings
