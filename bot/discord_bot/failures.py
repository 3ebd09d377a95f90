"""How errors reach people: a short message to the user, a traceback in the log for bugs."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from index import UserError

from .rendering import notice

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
APOLOGY = "Sorry, something went wrong on my side and it has been logged. Please try again later."


def explain(error: BaseException) -> str:
    """The user's message for `error`; bugs are logged with their traceback."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, UserError):
        return str(error)
    log.error("unexpected error", exc_info=error)
    return APOLOGY


async def tell(interaction: discord.Interaction, text: str) -> None:
    """Sends `text` to the interaction's user only, whatever state its response is in."""
    text = notice(text)
    if not interaction.response.is_done():
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
        return
    if interaction.response.type is discord.InteractionResponseType.deferred_channel_message:
        # The first follow-up would replace a public "thinking…" message, publicly: remove it first.
        try:
            await interaction.delete_original_response()
        except discord.HTTPException:
            log.warning("could not remove the pending response before reporting an error")
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)


async def report(interaction: discord.Interaction, error: BaseException) -> None:
    """The command tree's and views' error handler."""
    text = explain(error)
    try:
        await tell(interaction, text)
    except discord.HTTPException:
        log.exception("could not tell the user about an error")
