"""Relaxation rings: what a team, or the data policy, allows once a ticket has waited.

Peers widen a ticket's reach when nobody exactly right is free: Genesys widens bullseye
rings, Salesforce drops extra skills after a timeout, Zendesk queues have secondary
groups. Here each team says, per requirement, what it also takes after a wait (its
rings), and the data policy may hold a kind of ticket back from partners until it has
waited (``wider_ring_only``). What the data policy forbids outright (``never_*``) no
ring ever lets out.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import CustomerTier

#: In a ring's ``languages``: every language.
ANY_LANGUAGE = "*"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RelaxationRing(_Strict):
    """From ``after`` of waiting on, the team also takes these tickets."""

    after: timedelta = Field(
        gt=timedelta(0),
        description="How long the ticket has waited since the customer wrote (ISO 8601).",
    )
    languages: list[str] = Field(
        default_factory=list,
        description="Ticket languages the team takes from this ring on, worked in the "
        "team's `fallback_language` through a translation (the assignment says "
        "`needs_translation`); '*' for any language.",
    )
    skills: dict[str, float] = Field(
        default_factory=dict,
        description="Skills the team takes from this ring on through a related skill it "
        "has, at this (lower) proficiency in (0, 1).",
    )

    @model_validator(mode="after")
    def _widens_something(self) -> RelaxationRing:
        if not self.languages and not self.skills:
            raise ValueError("a ring must widen something: list languages or skills")
        for skill, proficiency in self.skills.items():
            if not 0 < proficiency < 1:
                raise ValueError(
                    f"a fallback skill is never expert: proficiency of {skill!r} must be in "
                    f"(0, 1), got {proficiency}"
                )
        return self

    def takes_language(self, language: str) -> bool:
        return ANY_LANGUAGE in self.languages or language in self.languages


class WiderRingOnly(_Strict):
    """Tickets matching any of these may go to a partner only once they have waited."""

    after: timedelta = Field(
        gt=timedelta(0), description="Wait since the customer wrote before a partner may see it."
    )
    skills: list[str] = Field(default_factory=list)
    tiers: list[CustomerTier] = Field(default_factory=list)
    marketplaces: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_something(self) -> WiderRingOnly:
        if not (self.skills or self.tiers or self.marketplaces):
            raise ValueError("wider_ring_only needs skills, tiers or marketplaces")
        return self

    def matches(self, skill: str, tier: CustomerTier, marketplace: str | None) -> bool:
        return (
            skill in self.skills
            or tier in self.tiers
            or (marketplace is not None and marketplace in self.marketplaces)
        )
