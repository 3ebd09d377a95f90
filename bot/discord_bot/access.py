"""Who may see internal articles and who may run admin commands, decided from Discord objects."""

from __future__ import annotations

from collections.abc import Collection

import discord


def may_see_internal(channel: object, newsroom_channel_ids: Collection[int]) -> bool:
    """True only in a newsroom channel or a thread whose parent is one; never in DMs or elsewhere."""
    if isinstance(channel, (discord.DMChannel, discord.GroupChannel)) or channel is None:
        return False
    if isinstance(channel, discord.Thread):
        return channel.parent_id in newsroom_channel_ids
    return getattr(channel, "id", None) in newsroom_channel_ids


def is_admin(user: discord.abc.User, admin_role_ids: Collection[int]) -> bool:
    """True when `user` is a guild member holding one of the admin roles (read at call time)."""
    if not isinstance(user, discord.Member):
        return False
    return any(role.id in admin_role_ids for role in user.roles)
