"""What customers make of the desk's work: recontacts and CSAT ratings, fed back to the
router's tallies as the ticket log would feed them (``services.router.quality``).

When a ticket is resolved, ``Workforce.service_outcome`` says whether the customer comes
back about it (and when), and whether and what they rate. A recontact within the
first-contact window is booked against the resolving team on its resolution's desk day;
a rating on the day it comes. The router's overflow choice reads these figures through
its load view, so a partner's measured quality moves work during the simulated week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bench.desk.ledger import RouterLedger
from bench.desk.outcome import Outcome
from services.router.domain.registry import TeamProfile
from switchboard.simulator import Workforce

#: (ticket, what: "recontact" or "rating", team id, resolved at, score)
QualityEvent = tuple[str, str, str, datetime, int]


@dataclass
class CustomerReactions:
    workforce: Workforce
    ledger: RouterLedger

    def resolved(
        self, key: str, team: TeamProfile, outcome: Outcome, now: datetime, attempt: int
    ) -> list[tuple[datetime, QualityEvent]]:
        """Count the resolution; what the customer will do about it, and when."""
        self.ledger.count_quality(team.id, now, now, resolved=1)
        reaction = self.workforce.service_outcome(
            key,
            team.id,
            team_kind=team.kind,
            proficiency=outcome.proficiency,
            translated=outcome.translated,
            attempt=attempt,
        )
        later: list[tuple[datetime, QualityEvent]] = []
        if reaction.recontact_after is not None:
            later.append((now + reaction.recontact_after, (key, "recontact", team.id, now, 0)))
        if reaction.rating is not None and reaction.rating_after is not None:
            event = (key, "rating", team.id, now, reaction.rating)
            later.append((now + reaction.rating_after, event))
        return later

    def happened(self, now: datetime, event: QualityEvent, outcome: Outcome) -> None:
        _, what, team_id, resolved_at, score = event
        if what == "recontact":
            window = self.ledger.registry.quality.first_contact_window
            outcome.recontacted = True
            if now - resolved_at <= window:
                self.ledger.count_quality(team_id, resolved_at, now, recontacted=1)
        else:
            outcome.rating = score
            self.ledger.count_quality(team_id, now, now, score=score)
