"""Questions asked in messages: any DM, and messages addressed to the bot in newsroom channels.

A question mentioning the bot in a newsroom channel opens a thread (or, when that is refused,
gets a reply); later messages in that thread, or replies to the bot, are follow-ups read
against the conversation's previous question.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import discord

from .archive import Archive
from .conversations import Conversations
from .cooldown import Cooldown, cooldown_notice
from .failures import NO_PINGS, explain
from .rendering import notice, render_answer, thread_name
from .views import AnswerView

log = logging.getLogger(__name__)
EMPTY_QUESTION = "Ask me a question in words, e.g. how many carjackings in 2021?"


@dataclass(frozen=True)
class Addressed:
    """A message the bot should answer, and how."""

    question: str
    include_internal: bool
    conversation: int | None  # whose previous question applies; None starts a conversation
    start_thread: bool


def strip_mention(content: str, bot_id: int) -> str:
    return re.sub(rf"<@!?{bot_id}>", " ", content).strip()


def _mentions(message: discord.Message, bot_id: int) -> bool:
    return any(user.id == bot_id for user in message.mentions)


def _replies_to(message: discord.Message, bot_id: int) -> bool:
    ref = message.reference
    return ref is not None and isinstance(ref.resolved, discord.Message) and ref.resolved.author.id == bot_id


def addressed(message: discord.Message, bot_id: int, newsroom: Collection[int]) -> Addressed | None:
    """Whether and how to answer `message`; None means stay silent."""
    if message.author.bot:
        return None
    question = strip_mention(message.content, bot_id)
    channel = message.channel
    if message.guild is None:
        return Addressed(question, False, channel.id, start_thread=False)
    mentioned = _mentions(message, bot_id)
    replied = _replies_to(message, bot_id)
    if isinstance(channel, discord.Thread):
        if channel.parent_id in newsroom and (mentioned or replied or channel.owner_id == bot_id):
            return Addressed(question, True, channel.id, start_thread=False)
        return None
    if channel.id in newsroom and (mentioned or replied):
        conversation = message.reference.message_id if replied and message.reference else None
        return Addressed(question, True, conversation, start_thread=not replied)
    return None


class MessageQuestions:
    def __init__(
        self,
        *,
        archive: Archive,
        newsroom_channel_ids: Collection[int],
        cooldown: Cooldown,
        conversations: Conversations,
    ) -> None:
        self._archive = archive
        self._newsroom = frozenset(newsroom_channel_ids)
        self._cooldown = cooldown
        self._conversations = conversations

    async def handle(self, message: discord.Message, bot_id: int) -> None:
        request = addressed(message, bot_id, self._newsroom)
        if request is None:
            return
        if not request.question:
            # Without the message content intent, unmentioned guild messages arrive empty.
            if message.guild is None or _mentions(message, bot_id):
                await _send(message, None, content=notice(EMPTY_QUESTION))
            return
        wait = self._cooldown.retry_after(message.author.id)
        if wait:
            await _send(message, None, content=notice(cooldown_notice(wait)))
            return

        thread = None
        if request.start_thread:
            try:
                thread = await message.create_thread(name=thread_name(request.question))
            except discord.HTTPException as error:
                log.warning("could not start a thread, replying instead: %s", error)

        previous = self._conversations.previous(request.conversation) if request.conversation else None
        try:
            async with (thread or message.channel).typing():
                answer = await self._archive.ask(
                    request.question,
                    user_id=message.author.id,
                    include_internal=request.include_internal,
                    previous=previous,
                )
        except Exception as error:
            await _send(message, thread, content=notice(explain(error)))
            return

        page = render_answer(answer)
        sent = await _send(
            message, thread, embed=page.embed, view=AnswerView(answer, page.shown, self._archive)
        )
        # DMs and threads are conversations; a plain reply chain is keyed by the bot's message.
        in_conversation = isinstance(sent.channel, (discord.Thread, discord.DMChannel))
        self._conversations.remember(sent.channel.id if in_conversation else sent.id, answer.question)


async def _send(message: discord.Message, thread: discord.Thread | None, **content: Any) -> discord.Message:
    """Into the question's new thread, else as a reply to the question; never pinging."""
    if thread is not None:
        return await thread.send(allowed_mentions=NO_PINGS, **content)
    return await message.reply(mention_author=False, allowed_mentions=NO_PINGS, **content)
