"""Settings read from the environment, and `.env.example` documenting every one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_every_setting_has_a_description() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_env_example_mirrors_every_setting() -> None:
    named = set(re.findall(r"^#? ?NEWSBOT_([A-Z_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert named == {name.upper() for name in Settings.model_fields}


def test_env_example_as_is_gives_the_defaults(clean_env: None) -> None:
    # Its empty NEWSBOT_DISCORD_TOKEN= counts as unset, so `newsbot serve` says it is missing.
    from_example = Settings(_env_file=ENV_EXAMPLE)
    assert from_example.discord_token is None
    assert from_example.model_dump() == Settings(_env_file=None).model_dump()


def test_ids_and_secrets_from_the_environment(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    monkeypatch.setenv("NEWSBOT_NEWSROOM_CHANNEL_IDS", "123456789012345678, 234567890123456789")
    monkeypatch.setenv("NEWSBOT_ADMIN_ROLE_IDS", "")
    monkeypatch.setenv("NEWSBOT_DISCORD_TOKEN", "secret-token")
    monkeypatch.setenv("NEWSBOT_MESSAGE_CONTENT_INTENT", "false")
    settings = Settings(_env_file=None)
    assert settings.newsroom_channel_ids == [123456789012345678, 234567890123456789]
    assert settings.admin_role_ids == []
    assert settings.message_content_intent is False
    assert (
        "secret-token" not in repr(settings) and settings.discord_token.get_secret_value() == "secret-token"
    )


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, clean_env: None) -> None:
    monkeypatch.setenv("NEWSBOT_COOLDOWN_SECONDS", "-1")
    with pytest.raises(ValueError):
        Settings(_env_file=None)


@pytest.mark.parametrize(
    ("value", "shards"), [("", None), ("auto", "auto"), (" Auto ", "auto"), ("1", 1), ("16", 16)]
)
def test_shards_take_auto_or_a_whole_number(
    value: str, shards: object, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    monkeypatch.setenv("NEWSBOT_SHARDS", value)
    assert Settings(_env_file=None).shards == shards


@pytest.mark.parametrize("value", ["0", "-2", "1.5", "two", "auto,2", "\u0663"])
def test_any_other_shard_value_is_refused_saying_what_it_takes(
    value: str, monkeypatch: pytest.MonkeyPatch, clean_env: None
) -> None:
    monkeypatch.setenv("NEWSBOT_SHARDS", value)
    with pytest.raises(ValidationError, match="takes `auto` or a whole number of shards") as refused:
        Settings(_env_file=None)
    assert refused.value.errors()[0]["loc"] == ("shards",)
