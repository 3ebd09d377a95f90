"""JSON payloads shaped like Discord's (API v10), as much of them as discord.py reads."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

Payload = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000
_counter = itertools.count(1)


def snowflake() -> int:
    """Real-looking ids (17-20 digits), unique within the test run."""
    now_ms = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
    return ((now_ms - DISCORD_EPOCH_MS) << 22) | (next(_counter) & 0x3FFFFF)


def timestamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def user(user_id: int, name: str, *, bot: bool = False) -> Payload:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name,
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member(user_payload: Payload, role_ids: list[int], *, permissions: int | None = None) -> Payload:
    data = {
        "user": user_payload,
        "roles": [str(r) for r in role_ids],
        "joined_at": timestamp(),
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "nick": None,
        "avatar": None,
    }
    if permissions is not None:  # only interactions carry resolved permissions
        data["permissions"] = str(permissions)
    return data


def role(role_id: int, name: str, position: int, permissions: int = 0) -> Payload:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def text_channel(channel_id: int, guild_id: int, name: str, position: int) -> Payload:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def thread(thread_id: int, guild_id: int, parent_id: int, owner_id: int, name: str) -> Payload:
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": timestamp(),
            "locked": False,
        },
    }


def dm_channel(channel_id: int, recipient: Payload) -> Payload:
    return {"id": str(channel_id), "type": 1, "last_message_id": None, "recipients": [recipient]}


def guild(guild_id: int, name: str, owner_id: int, *, roles, channels, members) -> Payload:
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "unavailable": False,
        "large": False,
        "member_count": len(members),
        "joined_at": timestamp(),
        "roles": roles,
        "channels": channels,
        "threads": [],
        "members": members,
        "emojis": [],
        "stickers": [],
        "features": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "preferred_locale": "en-US",
        "afk_channel_id": None,
        "afk_timeout": 300,
    }


def application(app_id: int, owner: Payload) -> Payload:
    return {
        "id": str(app_id),
        "name": "newsbot",
        "icon": None,
        "description": "",
        "summary": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": owner,
        "team": None,
        "flags": 0,
        "interactions_endpoint_url": None,
    }


def message(
    *,
    message_id: int,
    channel_id: int,
    guild_id: int | None,
    author: Payload,
    content: str = "",
    embeds: list[Payload] | None = None,
    components: list[Payload] | None = None,
    flags: int = 0,
    mentions: list[Payload] | None = None,
    reference: Payload | None = None,
    referenced: Payload | None = None,
    attachments: list[Payload] | None = None,
    kind: int = 0,
) -> Payload:
    data: Payload = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": timestamp(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions or [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": embeds or [],
        "components": components or [],
        "pinned": False,
        "type": kind,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if reference is not None:
        data["message_reference"] = reference
        data["referenced_message"] = referenced
    return data


def attachment(
    attachment_id: int, filename: str, size: int, url: str, content_type: str = "text/plain; charset=utf-8"
) -> Payload:
    return {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
    }
