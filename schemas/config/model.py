"""The whole config file and the cross-section checks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import TeamKind
from schemas.config.ingest import IngestConfig
from schemas.config.partner_api import PartnerApiConfig
from schemas.config.sla import SlaConfig
from schemas.config.teams import OutsourcingConfig, TeamConfig


class SwitchboardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    teams: list[TeamConfig] = Field(min_length=1)
    sla: SlaConfig
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    outsourcing: OutsourcingConfig = Field(default_factory=OutsourcingConfig)
    partner_api: PartnerApiConfig = Field(default_factory=PartnerApiConfig)

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

    @model_validator(mode="after")
    def _partner_api_names_partners_and_unique_keys(self) -> SwitchboardConfig:
        kinds = {team.id: team.kind for team in self.teams}
        key_ids: set[str] = set()
        hashes: set[str] = set()
        for team_id, access in self.partner_api.partners.items():
            if kinds.get(team_id) is not TeamKind.PARTNER:
                raise ValueError(f"partner_api.partners.{team_id}: not a partner team in 'teams'")
            for key in access.keys:
                if key.id in key_ids:
                    raise ValueError(f"partner_api: API key id {key.id!r} is used twice")
                if key.sha256 in hashes:
                    raise ValueError(f"partner_api: the key {key.id!r} is configured twice")
                key_ids.add(key.id)
                hashes.add(key.sha256)
        return self

    def team(self, team_id: str) -> TeamConfig:
        for team in self.teams:
            if team.id == team_id:
                return team
        raise KeyError(team_id)

    @property
    def in_house_team_ids(self) -> list[str]:
        return [team.id for team in self.teams if team.kind is TeamKind.IN_HOUSE]
