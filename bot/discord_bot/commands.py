"""The slash commands, defined by their signatures and docstrings.

They are built around their dependencies (no globals): `build_commands` returns commands for
the bot's tree. Each acknowledges its interaction at once (Discord drops it after 3 seconds)
and leaves the engine work to the `Archive`, off the event loop.
"""

from __future__ import annotations

import asyncio
import io
from functools import partial

import discord
from discord import app_commands

from index import ArticleFilter, ArticleInfo, FigureReport, UserError

from ..settings import Settings
from .access import is_admin, may_see_internal
from .archive import Archive
from .cooldown import Cooldown, cooldown_notice
from .failures import NO_PINGS, tell
from .filters import day_option, outlet_choices
from .refresher import Refresher
from .rendering import (
    CHOICE_MAX,
    Page,
    render_answer,
    render_article,
    render_figures,
    render_help,
    render_ingest,
    render_search,
    render_stats,
    truncate,
)
from .reports import render_gaps, render_refresh
from .timelines import render_timeline
from .uploads import check_upload, checked_upload
from .views import AnswerView, PagedView, Pages

CHART_NAME = "figures.png"
CHART_MIN_PERIODS = 3  # fewer periods make no line worth drawing


def choice_value(info: ArticleInfo) -> str:
    """Autocomplete values are capped at 100 characters; long ids fall back to the title,
    which /article resolves by prefix."""
    return info.article_id if len(info.article_id) <= CHOICE_MAX else info.title[:CHOICE_MAX]


def figure_pages(report: FigureReport, png: bytes | None) -> Pages:
    """The pages of /figures: the chart, when there is one, on the first page only."""

    def render(start: int) -> Page:
        return render_figures(report, start, chart=CHART_NAME if png and not start else None)

    def files(start: int) -> list[discord.File]:
        return [discord.File(io.BytesIO(png), filename=CHART_NAME)] if png and not start else []

    total = sum(len(g.figures) for t in report.things for g in t.groups)
    return Pages(total=total, render=render, command="figures", files=files)


def build_commands(
    *, archive: Archive, settings: Settings, cooldown: Cooldown, refresher: Refresher
) -> list[app_commands.Command]:
    newsroom = frozenset(settings.newsroom_channel_ids)

    def internal(interaction: discord.Interaction) -> bool:
        return may_see_internal(interaction.channel, newsroom)

    async def cooling_down(interaction: discord.Interaction) -> bool:
        wait = cooldown.retry_after(interaction.user.id)
        if wait:
            await tell(interaction, cooldown_notice(wait))
        return bool(wait)

    @app_commands.command()
    @app_commands.describe(
        question="What you want to know",
        private="Show the answer only to you",
        outlet="Answer only from this outlet's articles",
        since="YYYY-MM-DD: only articles published on this day or later",
        until="YYYY-MM-DD: only articles published on this day or earlier",
        as_of="YYYY-MM-DD: the day 'this week' or 'last year' is read against (default today)",
    )
    async def ask(
        interaction: discord.Interaction,
        question: str,
        private: bool = False,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        as_of: str | None = None,
    ) -> None:
        """Answer a question from the archive, quoting the sentences it relies on."""
        # Checked before deferring, so that a mistyped date is told to the user alone at once.
        filters = ArticleFilter(
            outlet=outlet, since=day_option("since", since), until=day_option("until", until)
        )
        day = day_option("as_of", as_of)
        if await cooling_down(interaction):
            return
        await interaction.response.defer(thinking=True, ephemeral=private)
        answer = await archive.ask(
            question,
            user_id=interaction.user.id,
            include_internal=internal(interaction),
            filters=filters,
            as_of=day,
        )
        page = render_answer(answer)
        await interaction.edit_original_response(
            embed=page.embed,
            view=AnswerView(answer, page.shown, archive),
            allowed_mentions=NO_PINGS,
        )

    @ask.autocomplete("outlet")
    async def outlets_offered(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return outlet_choices(await archive.outlets(include_internal=internal(interaction)), current)

    @app_commands.command()
    @app_commands.describe(
        query="Words, names or numbers to look for",
        outlet="List only this outlet's articles",
        since="YYYY-MM-DD: only articles published on this day or later",
        until="YYYY-MM-DD: only articles published on this day or earlier",
    )
    async def search(
        interaction: discord.Interaction,
        query: str,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> None:
        """List the archive's articles matching a query, with dates and links."""
        # Checked before deferring, as /ask does: a mistyped date is told to the user alone at once.
        filters = ArticleFilter(
            outlet=outlet, since=day_option("since", since), until=day_option("until", until)
        )
        if await cooling_down(interaction):
            return
        await interaction.response.defer(thinking=True)
        hits = await archive.search(query, include_internal=internal(interaction), filters=filters)
        await interaction.edit_original_response(
            embed=render_search(query, hits).embed, allowed_mentions=NO_PINGS
        )

    search.autocomplete("outlet")(outlets_offered)

    @app_commands.command()
    @app_commands.describe(topic="What is counted, e.g. carjackings")
    async def figures(interaction: discord.Interaction, topic: str) -> None:
        """Every figure the archive gives about a topic, by period, with its sources."""
        if await cooling_down(interaction):
            return
        await interaction.response.defer(thinking=True)
        report = await archive.figures(topic, include_internal=internal(interaction))
        png = None
        if report.periods >= CHART_MIN_PERIODS:
            from ..charts import figure_chart

            png = await asyncio.to_thread(figure_chart, report)
        pages = figure_pages(report, png)
        page = pages.render(0)
        await interaction.edit_original_response(
            embed=page.embed,
            attachments=pages.files(0),
            view=PagedView(pages, interaction, page.shown) if page.shown < pages.total else None,
            allowed_mentions=NO_PINGS,
        )

    @app_commands.command()
    @app_commands.describe(title="Start typing the article's title")
    async def article(interaction: discord.Interaction, title: str) -> None:
        """Show an article's details and link."""
        await interaction.response.defer(thinking=True)
        info = await archive.resolve_article(title, include_internal=internal(interaction))
        if info is None:
            raise UserError("No article in the archive matches that title.")
        await interaction.edit_original_response(embed=render_article(info).embed, allowed_mentions=NO_PINGS)

    @article.autocomplete("title")
    async def article_titles(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        infos = await archive.find_articles(current, include_internal=internal(interaction))
        return [
            app_commands.Choice(name=truncate(info.title or "Untitled", CHOICE_MAX), value=choice_value(info))
            for info in infos[:25]
        ]

    @app_commands.command()
    async def stats(interaction: discord.Interaction) -> None:
        """How many articles the archive holds, when it was last updated, and feedback counts."""
        await interaction.response.defer(thinking=True, ephemeral=True)
        await interaction.edit_original_response(embed=render_stats(await archive.stats()).embed)

    @app_commands.command(name="help")
    async def help_(interaction: discord.Interaction) -> None:
        """How to ask the archive questions."""
        await interaction.response.send_message(embed=render_help().embed, ephemeral=True)

    @app_commands.command()
    @app_commands.guild_only()
    @app_commands.describe(file="An article: .md or .txt with front matter, or a .jsonl export")
    async def ingest(interaction: discord.Interaction, file: discord.Attachment) -> None:
        """Add or update archive articles from an attached file (admins only)."""
        if not is_admin(interaction.user, settings.admin_role_ids):
            await tell(interaction, "Only members with an admin role can ingest files.")
            return
        check_upload(file.filename, file.size, settings.max_upload_bytes)
        await interaction.response.defer(thinking=True, ephemeral=True)
        data = await file.read()
        name = checked_upload(file.filename, data, settings.max_upload_bytes, settings.max_upload_articles)
        report = await archive.ingest_upload(name, data)
        await interaction.edit_original_response(
            embed=render_ingest(name, report).embed, allowed_mentions=NO_PINGS
        )

    @app_commands.command()
    @app_commands.guild_only()
    async def refresh(interaction: discord.Interaction) -> None:
        """Read the configured feeds now and add their new and changed articles (admins only)."""
        if not is_admin(interaction.user, settings.admin_role_ids):
            await tell(interaction, "Only members with an admin role can refresh the feeds.")
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        report = await refresher.refresh()
        await interaction.edit_original_response(
            embed=render_refresh(report).embed, allowed_mentions=NO_PINGS
        )

    @app_commands.command()
    @app_commands.guild_only()
    async def report(interaction: discord.Interaction) -> None:
        """The topics asked about most that the archive could not answer (admins only)."""
        if not is_admin(interaction.user, settings.admin_role_ids):
            await tell(interaction, "Only members with an admin role can see the coverage report.")
            return
        await interaction.response.defer(thinking=True, ephemeral=True)
        gaps = await archive.coverage_gaps()
        await interaction.edit_original_response(embed=render_gaps(gaps).embed, allowed_mentions=NO_PINGS)

    @app_commands.command()
    @app_commands.describe(topic="What the events are about, e.g. shootings of police officers")
    async def timeline(interaction: discord.Interaction, topic: str) -> None:
        """The dated events the archive reports about a topic, in the order they happened."""
        if await cooling_down(interaction):
            return
        await interaction.response.defer(thinking=True)
        found = await archive.timeline(topic, include_internal=internal(interaction))
        page = render_timeline(found)
        pages = Pages(total=len(found.events), render=partial(render_timeline, found), command="timeline")
        await interaction.edit_original_response(
            embed=page.embed,
            view=PagedView(pages, interaction, page.shown) if page.shown < pages.total else None,
            allowed_mentions=NO_PINGS,
        )

    return [ask, search, figures, timeline, article, stats, help_, ingest, refresh, report]
