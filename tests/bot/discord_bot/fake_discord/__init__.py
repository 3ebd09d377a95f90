"""A fake Discord (REST and gateway on 127.0.0.1) that the real discord.py client connects to."""

from .server import ACK_DEADLINE, EPHEMERAL, FakeDiscord, FakeFile, Interaction

__all__ = ["ACK_DEADLINE", "EPHEMERAL", "FakeDiscord", "FakeFile", "Interaction"]
