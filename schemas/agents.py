"""``agents.presence``: compacted, keyed ``<team_id>/<agent_id>``: whether each in-house
agent's terminal is online, away or offline. Terminals repeat their status every
``heartbeat_seconds``; the router mirrors the topic and takes an agent whose heartbeat
stopped for offline."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from schemas.base import Event, TeamId

AgentId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")]


class AgentStatus(StrEnum):
    ONLINE = "online"  # takes new tickets
    AWAY = "away"  # keeps the tickets it holds, gets no new ones
    OFFLINE = "offline"  # gone: its tickets go back to the team's queue


class AgentPresence(Event):
    type: Literal["agent.presence"] = "agent.presence"
    team_id: TeamId
    agent_id: AgentId
    status: AgentStatus
    heartbeat_seconds: float = Field(
        gt=0, le=3600, description="Real seconds between two announcements of this terminal."
    )
    session_id: str = Field(
        min_length=1, max_length=64, description="One run of the terminal (a restart is new)."
    )


def presence_key(team_id: str, agent_id: str) -> str:
    return f"{team_id}/{agent_id}"


AgentEvent = Annotated[AgentPresence, Field(discriminator="type")]
AGENT_EVENT = TypeAdapter[AgentEvent](AgentEvent)
