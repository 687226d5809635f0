"""Team registry: in-house teams and outsourced partners, with what they can handle."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import Channel, TeamId, TeamKind


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TeamConfig(_Strict):
    id: TeamId
    name: str = Field(min_length=1)
    kind: TeamKind
    skills: dict[str, float] = Field(
        min_length=1, description="Skill -> proficiency in (0, 1]; 1 is expert."
    )
    languages: list[str] = Field(min_length=1, description="ISO 639-1 codes.")
    channels: list[Channel] = Field(min_length=1)
    agents: int = Field(ge=0, description="Agents normally on shift.")
    concurrency: int = Field(default=1, ge=1, description="Tickets one agent works at once.")
    cost_per_ticket: Decimal = Field(default=Decimal(0), ge=0)

    @model_validator(mode="after")
    def _proficiencies_in_range(self) -> TeamConfig:
        for skill, proficiency in self.skills.items():
            if not 0 < proficiency <= 1:
                raise ValueError(f"proficiency of {skill!r} must be in (0, 1], got {proficiency}")
        return self

    @property
    def capacity(self) -> int:
        """Tickets the team can hold at once: agents x concurrent tickets."""
        return self.agents * self.concurrency
