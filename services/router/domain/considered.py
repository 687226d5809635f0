"""Every team a decision looks at, and whether it could take the ticket now.

A candidate (ring 0, or a wider ring once the ticket waited for it) is *eligible* when it
has not given this ticket back before, is online, is open now and, for a partner, is
under its daily volume cap. Eligible teams get a predicted wait; those with a free slot
are a choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from services.router.domain.explain import duration
from services.router.domain.load import DeskView, TeamLoad, predicted_wait
from services.router.domain.registry import Registry, TeamProfile
from services.router.domain.rings import Widening

Blocked = Literal["declined", "offline", "closed", "capped"]

_BLOCKED_NOTES = {
    "declined": "gave this ticket back before",
    "offline": "offline (taken offline by a supervisor)",
}


@dataclass(slots=True)  # not frozen: frozen dataclasses are slow to build, and this is hot
class Considered:
    team: TeamProfile
    proficiency: float
    blocked: Blocked | None
    load: TeamLoad | None = None
    predicted_wait: float | None = None
    fits: bool = False
    has_room: bool = False
    at: datetime | None = None  # when it was considered (for the words about hours)
    widening: Widening | None = None  # how it takes the ticket in a wider ring
    ring: int = 0  # the ticket's ring level it was considered in
    effective_price: Decimal | None = None  # partners: price weighed with quality
    quality_note: str = ""

    @property
    def eligible(self) -> bool:
        return self.blocked is None

    @property
    def note(self) -> str:
        """Words for people, computed only when a reason or an event needs them."""
        return self._ring_words() + self._state_words()

    def _ring_words(self) -> str:
        if self.widening is None:
            return ""
        return f"ring {self.ring} (after {duration(self.widening.after_seconds)}): "

    def _state_words(self) -> str:
        load = self.load
        if self.blocked == "closed":
            hours = self.team.hours.state(self.at).note if self.at else "outside working hours"
            return f"closed ({hours})"
        if self.blocked == "capped":
            return f"daily volume cap reached ({self.team.volume_cap})"
        if self.blocked is not None:
            return _BLOCKED_NOTES[self.blocked]
        assert load is not None
        if not self.has_room:
            return f"at capacity ({load.open}/{load.capacity})"
        words = f"{load.open}/{load.capacity} busy, predicted wait {duration(self.predicted_wait)}"
        if self.quality_note:
            words += f"; {self.quality_note}"
        return words


@dataclass(slots=True)
class Considering:
    """The teams of one decision, as they are looked at (ring 0, then wider rings)."""

    declined: frozenset[str]
    budget: float
    view: DeskView
    registry: Registry
    now: datetime
    considered: list[Considered]

    def look_at(
        self, options: Iterable[tuple[TeamProfile, float]], ring: int, widen: dict[str, Widening]
    ) -> tuple[list[Considered], list[Considered]]:
        """Consider ``options``; returns the eligible ones with a free slot: in-house and
        partners. The hot loop of a decision (one pass per candidate), hence flat."""
        in_house: list[Considered] = []
        partners: list[Considered] = []
        considered, declined, budget, now = self.considered, self.declined, self.budget, self.now
        load_of, remember = self.view.load, self.registry.wait_memo
        for team, proficiency in options:
            widening = widen.get(team.id) if widen else None
            load = load_of(team, now) if team.id not in declined else None
            if load is None:
                option = Considered(team, proficiency, "declined")
            elif not load.online:
                option = Considered(team, proficiency, "offline", load)
            elif not team.hours.is_open(now):
                option = Considered(team, proficiency, "closed", load, at=now)
            elif team.volume_cap is not None and load.offers_today >= team.volume_cap:
                option = Considered(team, proficiency, "capped", load)
            else:
                wait = remember(team, load, predicted_wait)
                room = load.open < load.capacity
                option = Considered(team, proficiency, None, load, wait, wait <= budget, room, now)
                if room:
                    (partners if team.partner else in_house).append(option)
            if widening is not None:
                option.widening, option.ring = widening, ring
            considered.append(option)
        return in_house, partners
