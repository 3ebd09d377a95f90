"""A `newsbot serve` child process, as the end-to-end tests watch it."""

from __future__ import annotations

import asyncio

WAIT = 30.0  # seconds: a bound against hangs, never a measurement


class Served:
    """One `newsbot serve -v` process and the lines it has logged so far."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        # Read all along: a full pipe would stall the bot.
        async for line in self.process.stderr:
            self.lines.append(line.decode(errors="replace"))

    async def logged(self, text: str) -> None:
        while not any(text in line for line in self.lines):
            assert self.process.returncode is None, "".join(self.lines)
            await asyncio.sleep(0.02)

    async def exit_code(self) -> int:
        code = await asyncio.wait_for(self.process.wait(), WAIT)
        await asyncio.wait_for(self._reader, WAIT)
        return code
