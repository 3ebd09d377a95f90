"""All settings, read from the environment and `.env`; built once in `main`, never at import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index import DEFAULT_BACKEND, EncoderBackend
from index.archive.location import BadArchiveUrlError, remote_location


def default_index_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "newsbot" / "index"


IdList = Annotated[list[int], NoDecode]
UrlList = Annotated[list[str], NoDecode]
# `auto`: the shard count Discord recommends; a number: that many shards.
ShardCount = Literal["auto"] | Annotated[int, Field(ge=1)] | None
SHARDS_TAKES = "takes `auto` or a whole number of shards (1 or more); leave it empty for no sharding"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # `NEWSBOT_MODEL_PATH=` in .env means "not set", not the current directory.
        env_ignore_empty=True,
    )

    index_dir: Path = Field(
        default_factory=default_index_dir,
        description="Directory holding the index (SQLite, FAISS, manifest); kept out of the source tree.",
    )
    archive_url: str = Field(
        default="",
        description="Where the archive is kept: empty for the embedded one in NEWSBOT_INDEX_DIR; "
        "milvus://host:port (milvus+tls://host:port over TLS) for a Milvus server that several bot "
        "processes share (docs/scale.md).",
    )
    archive_token: SecretStr = Field(
        default=SecretStr(""),
        description="The Milvus server's token: user:password, or an API key; never logged.",
    )
    archive_collections: str = Field(
        default="newsbot",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,200}$",
        description="Name prefix of the archive's Milvus collections (<prefix>_articles, ...): "
        "several archives on one server, or a new one to rebuild into.",
    )
    model_path: Path | None = Field(
        default=None,
        description="A sentence-transformers model directory; empty means the bundled all-MiniLM-L6-v2.",
    )
    reranker_path: Path | None = Field(
        default=None,
        description="A sentence-transformers CrossEncoder directory that reranks candidate sentences; "
        "empty means the bundled ms-marco-MiniLM-L-12-v2 (int8 ONNX).",
    )
    encoder_backend: EncoderBackend = Field(
        default=DEFAULT_BACKEND,
        description="How the embedding model runs: openvino (fastest that keeps quality; bf16 where the "
        "CPU has it), openvino-int8, torch-bf16, or torch (fp32, the reference and the fallback).",
    )
    discord_token: SecretStr | None = Field(
        default=None, description="The bot token from the Discord developer portal."
    )
    guild_ids: IdList = Field(
        default_factory=list,
        description="Comma-separated guild ids whose slash commands sync instantly (development).",
    )
    newsroom_channel_ids: IdList = Field(
        default_factory=list,
        description="Comma-separated channel ids where the bot answers mentions and may cite internal "
        "articles.",
    )
    admin_role_ids: IdList = Field(
        default_factory=list,
        description="Comma-separated role ids allowed to run /ingest, /refresh and /report.",
    )
    cooldown_seconds: float = Field(
        default=3.0, ge=0, description="Minimum seconds between two questions from one user."
    )
    log_questions: bool = Field(
        default=True,
        description="Log question texts and keep them with feedback (user ids are only ever logged hashed).",
    )
    message_content_intent: bool = Field(
        default=True,
        description="Request the privileged message content intent (enable it in the developer portal); "
        "without it the bot only reads DMs and messages that mention it.",
    )
    max_upload_bytes: int = Field(
        default=5_000_000, gt=0, description="Largest file /ingest accepts, in bytes."
    )
    max_upload_articles: int = Field(
        default=1000,
        gt=0,
        description="Most articles one /ingest file may hold (JSONL lines); larger imports go "
        "through `newsbot ingest`.",
    )
    user_hash_salt: SecretStr = Field(
        default=SecretStr(""),
        description="Secret mixed into hashed user ids (feedback, logs); empty means a random one per run.",
    )
    stop_grace_seconds: float = Field(
        default=8.0,
        ge=0,
        description="On SIGTERM or Ctrl-C, how long answers in flight may take to go out before "
        "the bot disconnects.",
    )
    conversation_memory: int = Field(
        default=1000,
        gt=0,
        description="How many DM and thread conversations the bot remembers for follow-up questions.",
    )

    feeds: UrlList = Field(
        default_factory=list,
        description="Comma-separated RSS/Atom feed or XML sitemap URLs that `newsbot ingest --feeds` "
        "and the bot's scheduled refresh read.",
    )
    refresh_minutes: float = Field(
        default=0,
        ge=0,
        description="How often `newsbot serve` refreshes NEWSBOT_FEEDS, in minutes; 0 means never "
        "(admins can still run /refresh).",
    )

    report_channel_id: int | None = Field(
        default=None,
        description="Channel the coverage report (`/report`) is posted to every NEWSBOT_REPORT_DAYS; "
        "empty: never posted.",
    )
    report_days: float = Field(
        default=7,
        gt=0,
        description="Days of running between two posts of the coverage report (the first that long "
        "after start).",
    )

    shards: ShardCount = Field(
        default=None,
        description="Gateway shards (Discord requires sharding from 2,500 guilds): empty: one "
        "connection, no sharding; `auto`: as many as Discord recommends; a number: that many. "
        "One process runs them all.",
    )

    @field_validator("shards", mode="before")
    @classmethod
    def _shard_count(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip().lower()
        if value == "auto":
            return value
        if value.isascii() and value.isdecimal() and int(value) >= 1:
            return int(value)
        raise ValueError(SHARDS_TAKES)

    @field_validator("archive_url")
    @classmethod
    def _archive_url(cls, value: str) -> str:
        try:
            remote_location(value)
        except BadArchiveUrlError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("feeds", mode="before")
    @classmethod
    def _split_urls(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("guild_ids", "newsroom_channel_ids", "admin_role_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(" ", "").split(",") if part]
        return value
