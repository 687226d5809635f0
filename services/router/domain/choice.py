"""How the policy picks among the options of one ring: in-house, partners, least bad.

* In-house: the most proficient, then the least utilised, then the shortest wait.
* Partners: those below their contract's minimum daily share first, then the lowest
  effective price (the price weighed with measured quality, ``quality``), then the
  most proficient.
* Least bad: the shortest predicted wait, in-house on a tie.
"""

from __future__ import annotations

from decimal import Decimal

from schemas.config.quality import PartnerQualityConfig
from services.router.domain.considered import Considered
from services.router.domain.explain import OverflowReason, duration
from services.router.domain.load import DeskFigures
from services.router.domain.quality import effective_prices, measured
from services.router.domain.registry import TicketProfile


def busy(option: Considered) -> str:
    return f"{option.load.open}/{option.load.capacity}" if option.load else "?"


def best_in_house(options: list[Considered]) -> Considered:
    return min(
        options,
        key=lambda c: (
            -c.proficiency,
            c.load.utilisation if c.load else 1.0,
            c.predicted_wait,
            c.team.cost,
            c.team.id,
        ),
    )


def best_partner(
    options: list[Considered], desk: DeskFigures | None, quality: PartnerQualityConfig
) -> tuple[Considered, str]:
    """The partner to overflow to, and (when quality changed the choice) why."""

    def below_minimum(option: Considered) -> bool:
        if desk is None or option.team.minimum_share <= 0 or option.load is None:
            return False
        return option.load.offers_today < option.team.minimum_share * (desk.assigned_today + 1)

    def by_price(option: Considered) -> Decimal:
        return option.effective_price if option.effective_price is not None else option.team.cost

    if not quality.weighs_quality:
        best = min(
            options,
            key=lambda c: (
                not below_minimum(c),
                c.team.cost,
                -c.proficiency,
                c.predicted_wait,
                c.team.id,
            ),
        )
        return best, ""
    measures = [measured(c.load.quality, quality) if c.load else None for c in options]
    known = [(c.team.cost, m) for c, m in zip(options, measures, strict=True) if m is not None]
    prices = iter(effective_prices(known, quality))
    for option, measure in zip(options, measures, strict=True):
        if measure is not None:
            option.effective_price = next(prices)
            option.quality_note = f"{measure.words()}, {option.effective_price} with quality"
    best = min(
        options,
        key=lambda c: (
            not below_minimum(c),
            by_price(c),
            -c.proficiency,
            c.predicted_wait,
            c.team.id,
        ),
    )
    cheapest = min(
        options,
        key=lambda c: (
            not below_minimum(c),
            c.team.cost,
            -c.proficiency,
            c.predicted_wait,
            c.team.id,
        ),
    )
    if cheapest is best:
        return best, ""
    return best, (
        f" Price alone would choose {cheapest.team.name} ({cheapest.team.cost}/ticket); "
        f"weighed with quality it costs {by_price(cheapest)} ({cheapest.quality_note}) "
        f"against {by_price(best)} for {best.team.name} ({best.quality_note})."
    )


def least_bad(options: list[Considered]) -> Considered:
    return min(options, key=lambda c: (c.predicted_wait, c.team.partner, c.team.cost, c.team.id))


def why_not_in_house(
    considered: list[Considered], ticket: TicketProfile, budget_seconds: float
) -> tuple[OverflowReason, str]:
    in_house = [c for c in considered if not c.team.partner]
    if not in_house:
        return OverflowReason.NO_IN_HOUSE_MATCH, (
            f"no in-house team handles {ticket.skill} in {ticket.language} "
            f"on {ticket.channel.value}"
        )
    with_room = [c for c in in_house if c.eligible and c.has_room]
    if with_room:
        best = min(with_room, key=lambda c: (c.predicted_wait, c.team.id))
        return OverflowReason.IN_HOUSE_OVER_BUDGET, (
            f"in-house predicted wait {duration(best.predicted_wait)} ({best.team.name}) "
            f"exceeds the {duration(budget_seconds)} budget"
        )
    for blocked, reason in (
        (None, OverflowReason.IN_HOUSE_FULL),
        ("closed", OverflowReason.IN_HOUSE_CLOSED),
        ("offline", OverflowReason.IN_HOUSE_OFFLINE),
        ("declined", OverflowReason.IN_HOUSE_DECLINED),
    ):
        hits = [c for c in in_house if c.blocked == blocked]
        if hits:
            return reason, "in-house " + ", ".join(f"{c.team.name} {c.note}" for c in hits[:3])
    return OverflowReason.NO_IN_HOUSE_MATCH, "no in-house team can take it"


def share_allows(desk: DeskFigures, limit: float) -> bool:
    """Would one more partner assignment keep the day's partner share within the limit?"""
    return desk.to_partners_today + 1 <= limit * (desk.assigned_today + 1) + 1e-9
