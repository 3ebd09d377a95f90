"""`run_bot`, the entry point of `newsbot serve`: start-up failures become one clear line."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.discord_bot.app import run_bot
from bot.settings import Settings
from index.errors import IndexMissingError, UserError
from tests.bot.discord_bot.fake_discord import FakeDiscord
from tests.fixtures.encoder import HashingEncoder
from tests.fixtures.reranker import OverlapReranker


def test_missing_token_is_a_user_error(tmp_path: Path, clean_env: None) -> None:
    settings = Settings(_env_file=None, index_dir=tmp_path / "index")
    with pytest.raises(UserError, match="NEWSBOT_DISCORD_TOKEN is not set"):
        run_bot(settings, HashingEncoder, OverlapReranker)


def test_missing_index_is_reported_before_connecting(tmp_path: Path, clean_env: None) -> None:
    settings = Settings(_env_file=None, index_dir=tmp_path / "nothing-here", discord_token="t")
    with pytest.raises(IndexMissingError):
        run_bot(settings, HashingEncoder, OverlapReranker)


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_rejected_token_is_one_clear_line_and_never_logged(
    fake: FakeDiscord, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-token-" + "x" * 40
    settings = settings.model_copy(update={"discord_token": SecretStr(wrong)})
    with (
        caplog.at_level(logging.DEBUG),
        pytest.raises(UserError, match="Discord rejected NEWSBOT_DISCORD_TOKEN") as raised,
    ):
        await asyncio.to_thread(run_bot, settings, HashingEncoder, OverlapReranker)
    assert "\n" not in str(raised.value)
    assert ("GET", "/api/v10/users/@me", 401) in fake.requests
    assert all(wrong not in record.getMessage() for record in caplog.records)


@pytest.mark.e2e
@pytest.mark.asyncio(loop_scope="session")
async def test_refused_content_intent_says_how_to_fix_it(fake: FakeDiscord, settings: Settings) -> None:
    fake.portal_message_content = False
    with pytest.raises(UserError, match="NEWSBOT_MESSAGE_CONTENT_INTENT=false"):
        await asyncio.to_thread(run_bot, settings, HashingEncoder, OverlapReranker)
