"""The demo's simulated workforce: how long agents take and how partners answer offers.

Every draw is keyed by the ticket (and attempt), not taken from one shared
sequence: the services decide the order in which the demo asks, so a shared
generator would make the answers depend on timing. Keyed draws give the same
answer for the same ticket in every run with the same seed.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from schemas.base import Channel, TeamKind
from switchboard.simulator.data import workforce as data
from switchboard.simulator.params import DEFAULT_SEED


@dataclass(frozen=True)
class ServiceOutcome:
    """What the customer makes of a resolution."""

    #: When the customer comes back about it (reopens or writes again), after the
    #: resolution; ``None``: resolved at first contact.
    recontact_after: timedelta | None
    #: The CSAT score the customer gives (1-5) and when, after the resolution; ``None``:
    #: the customer does not answer the survey.
    rating: int | None
    rating_after: timedelta | None


@dataclass(frozen=True)
class PartnerDecision:
    """A partner's answer to an offer."""

    outcome: Literal["accept", "reject", "ignore"]
    #: When the answer comes after the offer; ``None`` when it never comes.
    after: timedelta | None
    reason: str | None = None


class Workforce:
    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.seed = seed

    def _rng(self, purpose: str, ticket_id: str, attempt: int) -> random.Random:
        return random.Random(f"switchboard-simulator:{self.seed}:{purpose}:{ticket_id}:{attempt}")

    def handle_time(
        self,
        ticket_id: str,
        channel: Channel,
        skill: str,
        *,
        team_kind: TeamKind = TeamKind.IN_HOUSE,
        attempt: int = 1,
    ) -> timedelta:
        """Agent working time for the ticket, from opening it to resolving it."""
        median = data.HANDLE_MEDIAN_MINUTES[channel] * data.SKILL_HANDLE_FACTOR.get(skill, 1.0)
        if team_kind is TeamKind.PARTNER:
            median *= data.PARTNER_HANDLE_FACTOR
        minutes = self._rng("handle", ticket_id, attempt).lognormvariate(
            math.log(median), data.HANDLE_SIGMA[channel]
        )
        return timedelta(minutes=minutes)

    def first_response_delay(
        self, ticket_id: str, channel: Channel, *, attempt: int = 1
    ) -> timedelta:
        """From an agent opening the ticket to the first reply going out."""
        seconds = self._rng("first-response", ticket_id, attempt).lognormvariate(
            math.log(data.FIRST_RESPONSE_MEDIAN_SECONDS[channel]), data.FIRST_RESPONSE_SIGMA
        )
        return timedelta(seconds=seconds)

    def partner_decision(
        self,
        ticket_id: str,
        team_id: str,
        *,
        language: str,
        skill: str,
        proficiency: float,
        load: float,
        attempt: int = 1,
    ) -> PartnerDecision:
        """How partner ``team_id`` answers an offer of the ticket.

        ``proficiency`` is the team's proficiency in the skill (0..1, from the
        config), ``load`` its tickets in hand over its capacity (0 = idle, 1 = full).
        """
        rng = self._rng(f"offer:{team_id}", ticket_id, attempt)
        pressure = max(
            0.0, min(1.0, (load - data.LOAD_PRESSURE_FROM) / (1 - data.LOAD_PRESSURE_FROM))
        )
        if rng.random() < data.IGNORE_BASE + data.IGNORE_WHEN_FULL * pressure:
            return PartnerDecision("ignore", None)
        causes = {
            "language": data.REJECT_BASE / 2,
            "access": data.REJECT_BASE / 2,
            "capacity": data.REJECT_WHEN_FULL * pressure,
            "skill": data.REJECT_PER_MISSING_PROFICIENCY * max(0.0, 1.0 - proficiency),
        }
        after = timedelta(
            seconds=rng.lognormvariate(
                math.log(data.OFFER_RESPONSE_MEDIAN_SECONDS), data.OFFER_RESPONSE_SIGMA
            )
        )
        if rng.random() >= sum(causes.values()):
            return PartnerDecision("accept", after)
        cause = rng.choices(list(causes), weights=list(causes.values()), k=1)[0]
        reason = data.REJECT_REASONS[cause].format(language=language, skill=skill)
        return PartnerDecision("reject", after, reason)

    def service_outcome(
        self,
        ticket_id: str,
        team_id: str,
        *,
        team_kind: TeamKind,
        proficiency: float,
        translated: bool,
        attempt: int = 1,
    ) -> ServiceOutcome:
        """Whether the customer comes back about the resolution of the ticket by
        ``team_id``, and what they rate it (the team's quality, worse through a
        translation or a weak skill)."""
        rng = self._rng(f"outcome:{team_id}", ticket_id, attempt)
        partner = team_kind is TeamKind.PARTNER
        fcr = data.TEAM_FCR.get(team_id, data.PARTNER_FCR if partner else data.IN_HOUSE_FCR)
        csat = data.TEAM_CSAT.get(team_id, data.PARTNER_CSAT if partner else data.IN_HOUSE_CSAT)
        fcr -= data.FCR_PER_MISSING_PROFICIENCY * max(0.0, 1.0 - proficiency)
        if translated:
            fcr -= data.TRANSLATED_FCR_PENALTY
            csat -= data.TRANSLATED_CSAT_PENALTY
        recontact = None
        if rng.random() >= fcr:
            recontact = timedelta(
                hours=rng.lognormvariate(
                    math.log(data.RECONTACT_MEDIAN_HOURS), data.RECONTACT_SIGMA
                )
            )
        if rng.random() >= data.RATING_RESPONSE_RATE:
            return ServiceOutcome(recontact, None, None)
        score = min(5, max(1, round(rng.gauss(csat, data.CSAT_SIGMA))))
        after = timedelta(hours=rng.expovariate(1 / data.RATING_MEDIAN_HOURS))
        return ServiceOutcome(recontact, score, after)
