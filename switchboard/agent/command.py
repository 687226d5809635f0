"""Entry point of ``switchboard agent``: settings from the environment, stdin as commands."""

from __future__ import annotations

import asyncio
import getpass
import sys

from pydantic import Field, TypeAdapter, ValidationError

from plumbing.runtime import make_clock
from plumbing.settings import ServiceSettings
from schemas.agents import AgentId
from switchboard.agent.console import AgentConsole


class AgentSettings(ServiceSettings):
    agent_heartbeat_seconds: float = Field(
        default=2.0,
        gt=0,
        le=60,
        description="Real seconds between two presence announcements of the terminal; the "
        "router takes an agent whose heartbeat stopped for offline "
        "(ROUTER_PRESENCE_TIMEOUT_SECONDS, at least three heartbeats).",
    )


async def _read_line(prompt: bool) -> str:
    if prompt:
        print("> ", end="", flush=True)
    return await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)


def run_agent(team_id: str, agent_id: str | None) -> int:
    settings = AgentSettings()
    try:
        agent = TypeAdapter(AgentId).validate_python(agent_id or getpass.getuser())
    except ValidationError:
        print("an agent id is letters, digits, '.', '_', '@' or '-' (at most 64)", file=sys.stderr)
        return 2
    console = AgentConsole(
        settings=settings,
        team_id=team_id,
        agent_id=agent,
        clock=make_clock(settings),
        heartbeat_seconds=settings.agent_heartbeat_seconds,
    )
    interactive = sys.stdin.isatty()
    return asyncio.run(console.run(lambda: _read_line(interactive)))
