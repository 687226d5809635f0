"""The whole config file and the cross-section checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import TeamKind
from schemas.config.ingest import IngestConfig
from schemas.config.sla import SlaConfig
from schemas.config.teams import TeamConfig


class SwitchboardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    teams: list[TeamConfig] = Field(min_length=1)
    sla: SlaConfig
    ingest: IngestConfig = Field(default_factory=IngestConfig)

    @model_validator(mode="after")
    def _team_ids_unique(self) -> SwitchboardConfig:
        seen: set[str] = set()
        for team in self.teams:
            if team.id in seen:
                raise ValueError(f"team id {team.id!r} is used twice")
            seen.add(team.id)
        return self

    def team(self, team_id: str) -> TeamConfig:
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)

    @property
    def in_house_team_ids(self) -> list[str]:
        return [team.id for team in self.teams if team.kind is TeamKind.IN_HOUSE]
