"""`newsbot serve`: load the model and index, then run the bot until it is stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable

import discord
import httpx

from index import Encoder, Engine, EngineParams, Reranker, UserError, http_client

from ..engines import open_engine
from ..settings import Settings
from .client import newsbot_for

log = logging.getLogger(__name__)

REJECTED_TOKEN = (
    "Discord rejected NEWSBOT_DISCORD_TOKEN: copy the token again from the developer portal "
    "(Bot, Reset Token)."
)
# Gateway close code for a token Discord no longer accepts (reset while the bot was running).
AUTHENTICATION_FAILED = 4004


def run_bot(
    settings: Settings,
    load_model: Callable[[], Encoder],
    load_reranker: Callable[[], Reranker | None] = lambda: None,
    *,
    params: EngineParams = EngineParams(),
) -> int:
    """Runs the bot; returns the exit code.

    The model (`load_model()`, once the token is known to be set) and the index load before
    connecting, so the first question is answered at full speed.
    """
    token = settings.discord_token.get_secret_value().strip() if settings.discord_token else ""
    if not token:
        raise UserError(
            "NEWSBOT_DISCORD_TOKEN is not set: put the bot token from the Discord developer portal "
            "in .env (see docs/discord.md)."
        )
    if not logging.getLogger().handlers:
        discord.utils.setup_logging()
    # discord.py's debug output is raw gateway events and request bodies: question texts and
    # user ids in clear. Keep it out whatever the log level (user ids are only logged hashed).
    logging.getLogger("discord").setLevel(max(logging.INFO, logging.getLogger("discord").level))
    engine = open_engine(settings, load_model(), params, reranker=load_reranker())
    try:
        with http_client(params.feeds) as feeds_client:
            asyncio.run(_serve(settings, engine, token, feeds_client))
    except KeyboardInterrupt:
        log.info("stopped")
    finally:
        engine.close()
    return 0


async def _serve(settings: Settings, engine: Engine, token: str, feeds_client: httpx.Client) -> None:
    async with newsbot_for(settings, engine, feeds_client) as bot:
        loop = asyncio.get_running_loop()
        stopping: list[asyncio.Task] = []  # holds the tasks: the loop keeps only weak references

        def stop() -> None:
            # Service managers stop with SIGTERM, people with Ctrl-C: the answers in flight go
            # out first. A second signal disconnects at once.
            grace = settings.stop_grace_seconds
            stopping.append(loop.create_task(bot.close() if stopping else bot.stop(grace)))

        with contextlib.suppress(NotImplementedError, RuntimeError):  # not the main thread
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, stop)
        try:
            await bot.start(token)
        except discord.LoginFailure:
            raise UserError(REJECTED_TOKEN) from None
        except discord.ConnectionClosed as closed:
            if closed.code != AUTHENTICATION_FAILED:
                raise
            raise UserError(REJECTED_TOKEN) from None
        except discord.PrivilegedIntentsRequired:
            raise UserError(
                "Discord refused the message content intent: enable it under Bot, Privileged "
                "Gateway Intents in the developer portal, or set NEWSBOT_MESSAGE_CONTENT_INTENT=false."
            ) from None
