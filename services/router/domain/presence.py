"""Which in-house agents are there: the last word of each agent's terminal and when it
was heard. Pure: the caller says what "now" is on a monotonic clock of its own.

Liveness is judged by when this process *read* an announcement, not by the time the
terminal wrote in it, so clocks of other machines never matter: an agent whose
heartbeat has not been read for ``timeout`` seconds (or three of its own heartbeat
periods, if longer) is ``lost``, provided some other heartbeat was read lately: when
nobody has been heard for a while the silence is more likely ours (a broker restart, a
stalled mirror) than every agent's, so only a silence three times as long counts then.
After a restart every agent read from the compacted topic counts as just heard, so a
dead terminal is found one timeout later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from schemas.agents import AgentStatus

Standing = Literal["online", "away", "offline", "lost"]


@dataclass(frozen=True, slots=True)
class _Heard:
    status: AgentStatus
    at: float
    heartbeat_seconds: float


class Roster:
    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds
        self._teams: dict[str, dict[str, _Heard]] = {}
        self._newest = float("-inf")  # when any heartbeat was last read

    def heard(
        self, team_id: str, agent_id: str, status: AgentStatus, heartbeat: float, at: float
    ) -> None:
        self._teams.setdefault(team_id, {})[agent_id] = _Heard(status, at, heartbeat)
        self._newest = max(self._newest, at)

    def forget(self, team_id: str, agent_id: str) -> None:
        agents = self._teams.get(team_id)
        if agents is not None:
            agents.pop(agent_id, None)

    def tracked(self, team_id: str) -> bool:
        """Whether the team's agents announce their presence (any agent ever did, and the
        record is still on the topic): then its live capacity is its online agents'."""
        return team_id in self._teams

    def agents(self, team_id: str) -> list[str]:
        return sorted(self._teams.get(team_id, {}))

    def standing(self, team_id: str, agent_id: str, now: float) -> Standing:
        heard = self._teams.get(team_id, {}).get(agent_id)
        if heard is None or heard.status is AgentStatus.OFFLINE:
            return "offline"
        limit = max(self._timeout, 3 * heard.heartbeat_seconds)
        silence = now - heard.at
        others_heard = now - self._newest < limit / 2
        if silence > limit and (others_heard or silence > 3 * limit):
            return "lost"
        return "online" if heard.status is AgentStatus.ONLINE else "away"

    def live_slots(self, team_id: str, limit: Callable[[str], int], now: float) -> int | None:
        """Tickets the team's online agents can hold together; None for a team whose
        agents do not announce their presence (its configured capacity applies)."""
        agents = self._teams.get(team_id)
        if agents is None:
            return None
        return sum(
            limit(agent) for agent in agents if self.standing(team_id, agent, now) == "online"
        )

    def counts(self, team_id: str, now: float) -> dict[Standing, int]:
        tally: dict[Standing, int] = {"online": 0, "away": 0, "offline": 0, "lost": 0}
        for agent in self._teams.get(team_id, {}):
            tally[self.standing(team_id, agent, now)] += 1
        return tally
