"""`newsbot serve`: load the model and index, then run the bot until it is stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import discord

from index.encoder import Encoder, load_encoder
from index.engine import Engine
from index.errors import UserError

from .settings import Settings
from .chat.client import NewsBot

log = logging.getLogger(__name__)


def run_bot(settings: Settings, *, encoder: Encoder | None = None) -> int:
    """Runs the bot; returns the exit code. `encoder` replaces the configured model (tests).

    The model and index load before connecting, so the first question is answered at full speed.
    """
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise UserError(
            "NEWSBOT_DISCORD_TOKEN is not set: put the bot token from the Discord developer portal "
            "in .env (see docs/discord.md)."
        )
    if not logging.getLogger().handlers:
        discord.utils.setup_logging()
    engine = Engine.open(settings.index_dir, encoder or load_encoder(settings.model_path))
    try:
        asyncio.run(_serve(settings, engine, token))
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        engine.close()
    return 0


async def _serve(settings: Settings, engine: Engine, token: str) -> None:
    async with NewsBot(settings=settings, engine=engine) as bot:
        loop = asyncio.get_running_loop()
        closing: list[asyncio.Task] = []  # holds the task: the loop keeps only weak references
        # Service managers stop with SIGTERM: close the gateway session cleanly, as Ctrl-C does.
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            loop.add_signal_handler(
                signal.SIGTERM, lambda: closing.append(loop.create_task(bot.close()))
            )
        try:
            await bot.start(token)
        except discord.LoginFailure:
            raise UserError(
                "Discord rejected NEWSBOT_DISCORD_TOKEN: copy the token again from the developer "
                "portal (Bot, Reset Token)."
            ) from None
        except discord.PrivilegedIntentsRequired:
            raise UserError(
                "Discord refused the message content intent: enable it under Bot, Privileged "
                "Gateway Intents in the developer portal, or set NEWSBOT_MESSAGE_CONTENT_INTENT=false."
            ) from None
