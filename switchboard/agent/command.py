"""Entry point of ``switchboard agent``: settings from the environment, stdin as commands."""

from __future__ import annotations

import asyncio
import getpass
import sys

from plumbing.runtime import make_clock
from plumbing.settings import ServiceSettings
from switchboard.agent.console import AgentConsole


async def _read_line(prompt: bool) -> str:
    if prompt:
        print("> ", end="", flush=True)
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


def run_agent(team_id: str, agent_id: str | None) -> int:
    settings = ServiceSettings()
    console = AgentConsole(
        settings=settings,
        team_id=team_id,
        agent_id=agent_id or getpass.getuser(),
        clock=make_clock(settings),
    )
    interactive = sys.stdin.isatty()
    return asyncio.run(console.run(lambda: _read_line(interactive)))
