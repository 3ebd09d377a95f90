"""The fake Discord refuses what real Discord refuses; the e2e tests lean on these checks."""

from __future__ import annotations

import json
import time

import aiohttp
import discord
import pytest

from tests.bot.discord_bot.fake_discord import ACK_DEADLINE, EPHEMERAL, FakeDiscord, Interaction
from tests.bot.discord_bot.fake_discord.payloads import snowflake

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]


def pending(fake: FakeDiscord, age: float) -> Interaction:
    record = Interaction(
        id=snowflake(),
        token=f"token-{snowflake()}",
        kind=2,
        user_id=fake.add_user("u"),
        channel_id=fake.general_id,
        sent_at=time.monotonic() - age,
    )
    fake.interactions[record.id] = record
    return record


async def callback(fake: FakeDiscord, record: Interaction, body: dict) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        url = f"{fake.api_base}/interactions/{record.id}/{record.token}/callback"
        async with session.post(url, json=body) as response:
            assert response.headers["Content-Type"] == "application/json"
            return response.status, await response.json()


async def test_acknowledging_after_three_seconds_fails(fake: FakeDiscord) -> None:
    late = pending(fake, ACK_DEADLINE + 0.1)
    assert await callback(fake, late, {"type": 5}) == (
        404,
        {"message": "Unknown interaction", "code": 10062},
    )
    in_time = pending(fake, ACK_DEADLINE - 1)
    status, body = await callback(fake, in_time, {"type": 5})
    assert status == 200 and body["interaction"]["id"] == str(in_time.id)
    assert (await callback(fake, in_time, {"type": 5}))[1]["code"] == 40060  # only once


async def test_first_follow_up_after_public_deferral_stays_public(fake: FakeDiscord) -> None:
    record = pending(fake, 0)
    await callback(fake, record, {"type": 5})
    async with aiohttp.ClientSession() as session:
        url = f"{fake.api_base}/webhooks/{fake.app_id}/{record.token}"
        async with session.post(url, json={"content": "secret?", "flags": EPHEMERAL}) as response:
            message = await response.json()
    assert int(message["id"]) == record.original_id and not message["flags"] & EPHEMERAL


async def test_oversized_embeds_are_refused_with_invalid_form_body(fake: FakeDiscord, bot) -> None:
    channel = bot.get_channel(fake.general_id)
    too_long = discord.Embed(description="x" * 4097)
    too_much = discord.Embed(description="x" * 4000)
    for i in range(3):
        too_much.add_field(name=f"f{i}", value="y" * 1000)
    for embed in (too_long, too_much):
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send(embed=embed)
        assert refused.value.status == 400 and refused.value.code == 50035
    assert len(fake.refusals) == 2 and fake.bot_messages(fake.general_id) == []


async def multipart_followup(fake: FakeDiscord, payload: dict, files: dict[str, bytes]) -> tuple[int, dict]:
    record = pending(fake, 0)
    await callback(fake, record, {"type": 5})
    form = aiohttp.FormData()
    form.add_field("payload_json", json.dumps(payload), content_type="application/json")
    for name, data in files.items():
        form.add_field(name, data, filename="chart.png", content_type="application/octet-stream")
    async with aiohttp.ClientSession() as session:
        url = f"{fake.api_base}/webhooks/{fake.app_id}/{record.token}"
        async with session.post(url, data=form) as response:
            return response.status, await response.json()


async def test_a_multipart_follow_up_stores_its_files_as_attachments_with_cdn_urls(fake: FakeDiscord) -> None:
    payload = {"content": "chart", "attachments": [{"id": 0, "filename": "chart.png"}]}
    status, message = await multipart_followup(fake, payload, {"files[0]": b"\x89PNG data"})
    (attachment,) = message["attachments"]
    assert (
        status == 200 and attachment["filename"] == "chart.png" and attachment["content_type"] == "image/png"
    )
    async with aiohttp.ClientSession() as session, session.get(attachment["url"]) as response:
        assert await response.read() == b"\x89PNG data"


async def test_a_file_part_the_attachments_do_not_list_is_refused(fake: FakeDiscord) -> None:
    status, body = await multipart_followup(fake, {"content": "x", "attachments": []}, {"files[0]": b"data"})
    assert (status, body["code"]) == (400, 50035)


async def test_each_shard_gets_only_its_guilds_and_dms_come_on_shard_zero(fake: FakeDiscord) -> None:
    own_shard = (fake.guild_id >> 22) % 2
    other_guild, other_channel = fake.add_guild("Metro desk", shard=(1 - own_shard, 2))
    user = fake.add_user("reader")
    async with aiohttp.ClientSession() as session:
        shards = [await session.ws_connect(str(fake.gateway_url)) for _ in range(2)]

        async def next_event(shard: int) -> dict:
            while True:
                frame = await shards[shard].receive_json(timeout=5)
                if frame["op"] == 0:
                    return frame

        for shard_id, ws in enumerate(shards):
            await ws.receive_json(timeout=5)  # HELLO
            identify = {"token": fake.token, "intents": 1, "properties": {}, "shard": [shard_id, 2]}
            await ws.send_json({"op": 2, "d": identify})
            ready = await next_event(shard_id)
            assert ready["t"] == "READY" and ready["d"]["shard"] == [shard_id, 2]
            guild = await next_event(shard_id)
            assert guild["t"] == "GUILD_CREATE"
            assert int(guild["d"]["id"]) == (fake.guild_id if shard_id == own_shard else other_guild)
        assert fake.ready

        in_guild = await fake.send_message(user, other_channel, "on the other shard")
        seen = await next_event(1 - own_shard)
        assert seen["t"] == "MESSAGE_CREATE" and seen["d"]["id"] == in_guild["id"]
        in_dm = await fake.send_message(user, fake.dm_channel(user), "in a DM")
        assert (await next_event(0))["d"]["id"] == in_dm["id"]
        for ws in shards:
            await ws.close()


async def test_a_shard_id_outside_the_count_is_refused(fake: FakeDiscord) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(str(fake.gateway_url)) as ws:
        await ws.receive_json(timeout=5)  # HELLO
        identify = {"token": fake.token, "intents": 1, "properties": {}, "shard": [2, 2]}
        await ws.send_json({"op": 2, "d": identify})
        await ws.receive(timeout=5)
        assert ws.close_code == 4010
