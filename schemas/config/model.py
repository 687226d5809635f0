"""The whole config file and the cross-section checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import TeamKind
from schemas.config.ingest import IngestConfig
from schemas.config.sla import SlaConfig
from schemas.config.teams import OutsourcingConfig, TeamConfig


class SwitchboardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    teams: list[TeamConfig] = Field(min_length=1)
    sla: SlaConfig
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    outsourcing: OutsourcingConfig = Field(default_factory=OutsourcingConfig)

    @model_validator(mode="after")
    def _team_ids_unique(self) -> SwitchboardConfig:
        seen: set[str] = set()
        for team in self.teams:
            if team.id in seen:
                raise ValueError(f"team id {team.id!r} is used twice")
            seen.add(team.id)
        return self

    @model_validator(mode="after")
    def _partner_minimums_fit_the_share_limit(self) -> SwitchboardConfig:
        promised = sum(
            team.contract.minimum_daily_share for team in self.teams if team.contract is not None
        )
        if promised > self.outsourcing.share_limit + 1e-9:
            raise ValueError(
                f"partner contracts promise {promised:.0%} of the daily tickets but "
                f"outsourcing.share_limit allows only {self.outsourcing.share_limit:.0%}"
            )
        return self

    def team(self, team_id: str) -> TeamConfig:
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)

    @property
    def in_house_team_ids(self) -> list[str]:
        return [team.id for team in self.teams if team.kind is TeamKind.IN_HOUSE]
