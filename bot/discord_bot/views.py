"""Buttons under an answer: page through its sources, and say whether it helped."""

from __future__ import annotations

import discord

from index import Answer

from .archive import Archive
from .failures import NO_PINGS, report, tell
from .rendering import render_answer

# Views live in memory only (surviving a restart is not required); an hour covers a discussion.
VIEW_TIMEOUT = 3600


class AnswerView(discord.ui.View):
    def __init__(self, answer: Answer, shown: int, archive: Archive) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self._answer = answer
        self._archive = archive
        self._next = shown
        self._raters: set[int] = set()
        if shown >= len(answer.quoted):
            self.remove_item(self.more_sources)

    @discord.ui.button(label="More sources", style=discord.ButtonStyle.secondary)
    async def more_sources(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        page = render_answer(self._answer, start=self._next)
        self._next += page.shown
        if self._next >= len(self._answer.quoted):
            self._next = 0
            button.label = "First sources"
        else:
            button.label = "More sources"
        await interaction.response.edit_message(embed=page.embed, view=self, allowed_mentions=NO_PINGS)

    @discord.ui.button(label="Helpful", emoji="👍", style=discord.ButtonStyle.success)
    async def helpful(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._rate(interaction, helpful=True)

    @discord.ui.button(label="Not helpful", emoji="👎", style=discord.ButtonStyle.secondary)
    async def unhelpful(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._rate(interaction, helpful=False)

    async def _rate(self, interaction: discord.Interaction, *, helpful: bool) -> None:
        if interaction.user.id in self._raters:
            await tell(interaction, "You already rated this answer.")
            return
        self._raters.add(interaction.user.id)
        await interaction.response.defer(thinking=True, ephemeral=True)
        try:
            await self._archive.record_feedback(
                helpful=helpful, user_id=interaction.user.id, question=self._answer.question
            )
        except BaseException:
            self._raters.discard(interaction.user.id)  # not recorded, so they may try again
            raise
        await interaction.followup.send("Thanks, noted.", ephemeral=True, allowed_mentions=NO_PINGS)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await report(interaction, error)
