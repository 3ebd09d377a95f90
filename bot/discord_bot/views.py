"""Buttons under an answer (page through its sources, say whether it helped) and under a list
shown a page at a time (a timeline's events, a topic's figures)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import discord

from index import Answer

from .archive import Archive
from .failures import NO_PINGS, report, tell
from .rendering import Page, render_answer

log = logging.getLogger(__name__)

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


# Below the 15 minutes an interaction's token lasts: a timed-out view can still disable its
# buttons through the last click's (or the command's) token. The timeout restarts at each click.
PAGE_TIMEOUT = 600


def no_files(start: int) -> list[discord.File]:
    return []


@dataclass(frozen=True)
class Pages:
    """What a `PagedView` pages through: `render(start)` is the page whose first item is item
    `start` of `total`, `files(start)` the files it attaches (a fresh `discord.File` each call: one
    is spent by sending it), and `command` the slash command that asks for it."""

    total: int
    render: Callable[[int], Page]
    command: str
    files: Callable[[int], list[discord.File]] = no_files


class PagedView(discord.ui.View):
    """Previous / Next under a list shown a page at a time (a timeline, figures); only the member
    who asked for it pages it."""

    def __init__(self, pages: Pages, interaction: discord.Interaction, shown: int) -> None:
        super().__init__(timeout=PAGE_TIMEOUT)
        self._pages = pages
        self._asker = interaction.user.id
        self._interaction = interaction  # the latest, whose token edits the message on timeout
        self._starts = [0]  # the first item of each page seen, the current one last
        self._shown = shown
        self._enable()

    def _enable(self) -> None:
        self.previous.disabled = len(self._starts) == 1
        self.next.disabled = self._starts[-1] + self._shown >= self._pages.total

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self._asker:
            return True
        command = self._pages.command
        await tell(
            interaction,
            f"Only the member who asked for this /{command} can page it: ask /{command} yourself.",
        )
        return False

    async def _show(self, interaction: discord.Interaction, start: int) -> None:
        page = self._pages.render(start)
        self._shown = page.shown
        self._interaction = interaction
        self._enable()
        # The attachments listed replace the message's: a page without files drops the first's.
        await interaction.response.edit_message(
            embed=page.embed, attachments=self._pages.files(start), view=self, allowed_mentions=NO_PINGS
        )

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        if len(self._starts) > 1:
            self._starts.pop()
        await self._show(interaction, self._starts[-1])

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        self._starts.append(self._starts[-1] + self._shown)
        await self._show(interaction, self._starts[-1])

    async def on_timeout(self) -> None:
        """The buttons disabled, so that no one clicks one that would no longer answer."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        try:
            await self._interaction.edit_original_response(view=self)
        except discord.HTTPException:
            log.info("could not disable the buttons of a timed-out paged list", exc_info=True)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        await report(interaction, error)
