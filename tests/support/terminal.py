"""``switchboard agent`` as a real process, driven through its stdin like a person would:
type a command, read what it prints."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import Mapping


class Terminal:
    def __init__(self, team: str, agent: str, env: Mapping[str, str]) -> None:
        self.team, self.agent = team, agent
        self._env = {**os.environ, **env}
        self.lines: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self.returncode: int | None = None

    async def start(self) -> Terminal:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "switchboard.cli",
            "agent",
            "--team",
            self.team,
            "--agent-id",
            self.agent,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=self._env,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    async def _read(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        while line := await self._process.stdout.readline():
            self.lines.append(line.decode().rstrip("\n"))
            self._changed.set()
        self._changed.set()

    async def send(self, command: str) -> None:
        assert self._process is not None
        assert self._process.stdin is not None
        self._process.stdin.write(f"{command}\n".encode())
        await self._process.stdin.drain()

    async def expect(self, pattern: str, *, after: int = 0, timeout: float = 60.0) -> str:
        """The first line from index ``after`` on that matches ``pattern``."""
        regex = re.compile(pattern)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for line in self.lines[after:]:
                if regex.search(line):
                    return line
            left = deadline - loop.time()
            if left <= 0 or (self._reader is not None and self._reader.done()):
                shown = "\n".join(self.lines[-20:])
                raise AssertionError(f"{self.agent}: no line matching {pattern!r}; last:\n{shown}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.5))

    async def run(self, command: str, pattern: str, timeout: float = 60.0) -> str:
        """Type a command and wait for the line that answers it."""
        mark = len(self.lines)
        await self.send(command)
        return await self.expect(pattern, after=mark, timeout=timeout)

    async def quit(self) -> int:
        assert self._process is not None
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            await self.send("quit")
        self.returncode = await asyncio.wait_for(self._process.wait(), 60)
        return self.returncode

    def kill(self) -> None:
        """SIGKILL: no goodbye, the heartbeat just stops."""
        assert self._process is not None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._process.pid, signal.SIGKILL)

    async def close(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self.kill()
            await self._process.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
