"""Partner quality against price: what the router counts (resolutions, reopens and repeat
contacts within the first-contact window, CSAT) and how the overflow choice weighs it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from schemas.base import Channel
from schemas.config.quality import PartnerQualityConfig
from schemas.tickets import RepeatOf, TicketAssigned, TicketRated, TicketReopened, TicketResolved
from services.router.domain.load import TeamLoad
from services.router.domain.policy import decide
from services.router.domain.quality import PartnerQuality, QualityFigures, effective_prices
from services.router.domain.state import PartitionTally
from tests.unit.router.support import FRIDAY_NOON, FakeView, registry, request, team
from tests.unit.router.test_handlers import Desk, action
from tests.unit.router.test_lifecycle import opened

WEIGHED = {
    "repeat_contact_cost": "4.00",
    "csat_point_value": "1.00",
    "min_resolutions": 20,
    "min_ratings": 10,
}


def partner(team_id: str, price: str = "3.00", **extra: Any) -> Any:
    return team(team_id, "partner", cost_per_ticket=price, **extra)


def measured_load(resolved: int, recontacted: int, ratings: int, points: int) -> TeamLoad:
    return TeamLoad(
        open=0, capacity=4, quality=QualityFigures(resolved, recontacted, ratings, points)
    )


def test_at_equal_price_the_better_partner_gets_the_ticket_and_the_event_says_why() -> None:
    reg = registry(partner("a-weak"), partner("b-good"), quality=WEIGHED)
    view = FakeView(
        {
            "a-weak": measured_load(100, 40, 50, 150),  # FCR 60%, CSAT 3.0
            "b-good": measured_load(100, 10, 50, 225),  # FCR 90%, CSAT 4.5
        }
    )
    decision = decide(reg, request(), view, FRIDAY_NOON)
    assert decision.team is not None
    assert decision.team.id == "b-good"
    assert "Price alone would choose A Weak (3.00/ticket)" in decision.reason
    assert "FCR 60% of 100, CSAT 3.00 of 50, 6.60 with quality" in decision.reason
    # Price alone (the weights at 0, the default): the team id breaks the tie.
    plain = registry(partner("a-weak"), partner("b-good"))
    assert decide(plain, request(), view, FRIDAY_NOON).team.id == "a-weak"  # type: ignore[union-attr]


def test_quality_weighs_against_a_lower_price_only_as_much_as_the_weights_say() -> None:
    view = FakeView(
        {
            "cheap": measured_load(100, 40, 50, 150),  # FCR 60%, CSAT 3.0
            "dear": measured_load(100, 10, 50, 225),  # FCR 90%, CSAT 4.5
        }
    )
    light = {**WEIGHED, "repeat_contact_cost": "1.00", "csat_point_value": "0.50"}
    # cheap: 2.00 + 0.40 + 1.00 = 3.40; dear: 4.00 + 0.10 + 0.25 = 4.35
    reg = registry(partner("cheap", "2.00"), partner("dear", "4.00"), quality=light)
    assert decide(reg, request(), view, FRIDAY_NOON).team.id == "cheap"  # type: ignore[union-attr]
    heavy = {**WEIGHED, "repeat_contact_cost": "8.00"}
    # cheap: 2.00 + 3.20 + 2.00 = 7.20; dear: 4.00 + 0.80 + 0.50 = 5.30
    reg = registry(partner("cheap", "2.00"), partner("dear", "4.00"), quality=heavy)
    assert decide(reg, request(), view, FRIDAY_NOON).team.id == "dear"  # type: ignore[union-attr]


def test_a_figure_below_its_minimum_sample_neither_helps_nor_hurts() -> None:
    config = PartnerQualityConfig.model_validate(WEIGHED)
    known = PartnerQuality(fcr=0.9, csat=4.5, resolved=100, ratings=50)
    unknown = PartnerQuality(fcr=None, csat=None, resolved=5, ratings=2)
    prices = effective_prices([(Decimal("3.00"), known), (Decimal("3.00"), unknown)], config)
    assert prices == [Decimal("3.90"), Decimal("3.90")]  # taken at the others' mean


def test_quality_never_breaks_a_cap_or_the_data_policy() -> None:
    reg = registry(
        partner("capped", contract={"offer_accept_timeout": "PT2M", "daily_volume_cap": 10}),
        partner("weak"),
        quality=WEIGHED,
        data_policy={"never_tiers": ["vip"]},
    )
    view = FakeView(
        {
            "capped": TeamLoad(
                open=0, capacity=4, offers_today=10, quality=QualityFigures(100, 0, 50, 250)
            ),
            "weak": measured_load(100, 60, 50, 100),
        }
    )
    assert decide(reg, request(), view, FRIDAY_NOON).team.id == "weak"  # type: ignore[union-attr]
    assert decide(reg, request(tier="vip"), view, FRIDAY_NOON).team is None


def _tally(desk: Desk) -> PartitionTally:
    found = desk.store.get("~tally.0")
    assert isinstance(found, PartitionTally)
    return found


def _sample(desk: Desk, name: str, **labels: str) -> float | None:
    metrics = desk.router.metrics
    for counter in (metrics.resolutions, metrics.recontacts, metrics.csat):
        for family in counter.collect():
            for sample in family.samples:
                if sample.name == name and sample.labels == labels:
                    return sample.value
    return None


def test_the_router_counts_resolutions_reopens_repeat_contacts_and_ratings() -> None:
    desk = Desk()
    assigned, _ = desk.send(opened(channel=Channel.EMAIL, language="et"))
    assert isinstance(assigned, TicketAssigned)
    desk.send(action(TicketResolved, assigned))
    labels = {"channel": "email", "team_id": "tallinn-care", "team_kind": "in_house"}
    assert _sample(desk, "switchboard_support_resolutions_total", **labels) == 1
    desk.now += timedelta(hours=5)
    desk.send(
        TicketReopened(
            event_id=uuid.uuid4(),
            occurred_at=desk.now,
            correlation_id="c-1",
            ticket_id=assigned.ticket_id,
            channel=Channel.EMAIL,
            source_message_id="m-2",
            text="still broken",
            received_at=desk.now,
        )
    )
    assert _sample(desk, "switchboard_support_recontacts_total", **labels, kind="reopen") == 1
    desk.send(
        opened(
            ticket_id="t-2",
            channel=Channel.EMAIL,
            language="et",
            repeat_of=RepeatOf(
                ticket_id="t-0", resolved_at=FRIDAY_NOON, resolved_by_team="nearshore-bpo"
            ),
        )
    )
    partner_labels = {"channel": "email", "team_id": "nearshore-bpo", "team_kind": "partner"}
    assert (
        _sample(
            desk, "switchboard_support_recontacts_total", **partner_labels, kind="repeat_contact"
        )
        == 1
    )
    desk.send(
        TicketRated(
            event_id=uuid.uuid4(),
            occurred_at=desk.now,
            correlation_id="c-1",
            ticket_id=assigned.ticket_id,
            score=4,
            source="survey",
        )
    )
    assert _sample(desk, "switchboard_support_csat_score_sum", **labels) == 4
    assert _sample(desk, "switchboard_support_csat_score_count", **labels) == 1
    # One rating per ticket: a second one (or a retry) is not counted again.
    desk.send(
        TicketRated(
            event_id=uuid.uuid4(),
            occurred_at=desk.now,
            correlation_id="c-1",
            ticket_id=assigned.ticket_id,
            score=1,
            source="agent",
        )
    )
    assert _sample(desk, "switchboard_support_csat_score_count", **labels) == 1
    day = FRIDAY_NOON.date().isoformat()
    assert _tally(desk).teams["tallinn-care"].quality == {day: (1, 1, 1, 4)}
    assert _tally(desk).teams["nearshore-bpo"].quality == {day: (0, 1, 0, 0)}


def test_a_recontact_after_the_first_contact_window_does_not_count() -> None:
    desk = Desk()
    desk.send(
        opened(
            ticket_id="t-2",
            repeat_of=RepeatOf(
                ticket_id="t-0",
                resolved_at=FRIDAY_NOON - timedelta(days=4),  # the window is 3 days
                resolved_by_team="nearshore-bpo",
            ),
        )
    )
    assert "nearshore-bpo" not in _tally(desk).teams
