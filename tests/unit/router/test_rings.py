"""Relaxation rings, case by case: when a ring opens, what it widens, what it never does,
and how the decision and its events say so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.base import Channel, CustomerTier
from schemas.config.teams import TeamConfig
from schemas.queue import QueuedTicket
from schemas.tickets import RoutingStalled, TicketAssigned
from services.router.domain import rings
from services.router.domain.load import TeamLoad
from services.router.domain.policy import RoutingRequest, decide
from tests.unit.router.support import FRIDAY_NOON, FakeView, registry, request, team, ticket
from tests.unit.router.test_handlers import SATURDAY_NIGHT, Desk
from tests.unit.router.test_lifecycle import opened

FULL = TeamLoad(open=4, capacity=4)


def waited(minutes: float, **fields: Any) -> RoutingRequest:
    base = request(**fields)
    return RoutingRequest(base.ticket, base.budget_seconds, base.declined, minutes * 60)


def translating(
    team_id: str, after: str = "PT5M", kind: str = "in_house", **extra: Any
) -> TeamConfig:
    return team(
        team_id,
        kind,
        languages=["en", "et"],
        fallback_language="en",
        rings=[{"after": after, "languages": ["*"]}],
        **extra,
    )


def test_a_ring_opens_only_after_its_wait_and_marks_the_translation() -> None:
    reg = registry(translating("tallinn"))
    early = decide(reg, waited(4, language="pl"), FakeView(), FRIDAY_NOON)
    assert early.team is None
    assert early.next_ring_after == 300
    assert "A wider ring opens once it has waited 5m (waited 4m)" in early.reason

    later = decide(reg, waited(6, language="pl"), FakeView(), FRIDAY_NOON)
    assert later.team is not None
    assert later.team.id == "tallinn"
    assert later.ring is not None
    assert (later.ring.level, later.ring.opened_after_seconds) == (1, 300)
    assert later.needs_translation
    assert later.ring.translate_to == "en"
    assert "Ring 1, open after 5m of waiting (waited 6m)" in later.reason
    assert "language pl worked in en with a translation" in later.reason


def test_an_exact_match_with_room_wins_over_a_wider_ring_even_in_house_first() -> None:
    reg = registry(translating("tallinn"), team("partner", "partner", languages=["pl"]))
    decision = decide(reg, waited(60, language="pl"), FakeView(), FRIDAY_NOON)
    assert decision.team is not None
    assert decision.team.id == "partner"
    assert decision.ring is None
    assert not decision.needs_translation


def test_the_nearest_ring_with_room_is_taken_first() -> None:
    reg = registry(
        translating("far", after="PT20M"),
        translating(
            "near", after="PT5M", kind="partner", contract={"offer_accept_timeout": "PT2M"}
        ),
    )
    decision = decide(reg, waited(30, language="pl"), FakeView(), FRIDAY_NOON)
    assert decision.team is not None
    assert decision.team.id == "near"  # a partner in ring 1 before in-house in ring 2
    assert decision.ring is not None
    assert decision.ring.level == 1
    full_near = FakeView({"near": FULL})
    decision = decide(reg, waited(30, language="pl"), full_near, FRIDAY_NOON)
    assert decision.team is not None
    assert decision.team.id == "far"
    assert decision.ring is not None
    assert decision.ring.level == 2
    considered = {c.team.id: c for c in decision.considered}
    assert considered["near"].note.startswith("ring 1 (after 5m): at capacity")


def test_a_skill_falls_back_to_a_related_one_at_lower_proficiency() -> None:
    reg = registry(
        team(
            "warsaw",
            skills={"returns_refunds": 1.0},
            rings=[{"after": "PT15M", "skills": {"orders_shipping": 0.5}}],
        )
    )
    assert decide(reg, waited(10), FakeView(), FRIDAY_NOON).team is None
    decision = decide(reg, waited(20), FakeView(), FRIDAY_NOON)
    assert decision.team is not None
    assert decision.ring is not None
    assert not decision.needs_translation
    assert "proficiency 0.5 in orders_shipping" in decision.reason
    assert "orders_shipping through a related skill" in decision.reason


def test_the_data_policy_holds_a_partner_back_to_a_wider_ring_and_never_lets_out_the_rest() -> None:
    partner = team("bpo", "partner")
    reg = registry(
        partner,
        data_policy={
            "never_tiers": ["vip"],
            "wider_ring_only": [{"after": "PT30M", "tiers": ["loyal"]}],
        },
    )
    assert reg.candidates(ticket(tier=CustomerTier.LOYAL)) == ()
    assert decide(reg, waited(20, tier="loyal"), FakeView(), FRIDAY_NOON).team is None
    decision = decide(reg, waited(40, tier="loyal"), FakeView(), FRIDAY_NOON)
    assert decision.team is not None
    assert decision.ring is not None
    assert "a partner the data policy allows only in a wider ring" in decision.ring.steps
    # A standard customer's ticket goes there at once; a VIP's never, however long it waits.
    assert decide(reg, waited(0), FakeView(), FRIDAY_NOON).team is not None
    assert decide(reg, waited(600, tier="vip"), FakeView(), FRIDAY_NOON).team is None
    assert rings.levels(reg, ticket(tier=CustomerTier.VIP)) == ()


def test_channels_and_capabilities_are_never_widened() -> None:
    reg = registry(translating("tallinn"))
    assert rings.levels(reg, ticket(language="pl", channel=Channel.PHONE)) == ()
    assert rings.next_ring_after(reg, ticket(language="pl"), 0) == 300
    assert rings.next_ring_after(reg, ticket(language="pl"), 300) is None
    assert rings.open_levels(reg, ticket(language="pl"), 299) == 0
    assert rings.open_levels(reg, ticket(language="pl"), 300) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rings": [{"after": "PT10M", "languages": ["*"]}]}, "needs a fallback_language"),
        ({"fallback_language": "de"}, "not one of the team's languages"),
        (
            {
                "fallback_language": "en",
                "rings": [
                    {"after": "PT10M", "languages": ["*"]},
                    {"after": "PT5M", "languages": ["de"]},
                ],
            },
            "strictly increasing",
        ),
        ({"rings": [{"after": "PT10M", "skills": {"orders_shipping": 0.5}}]}, "already has"),
        ({"rings": [{"after": "PT10M", "skills": {"returns_refunds": 1.0}}]}, "never expert"),
        ({"rings": [{"after": "PT10M"}]}, "must widen something"),
    ],
)
def test_ring_config_mistakes_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        team("t", **fields)


def test_the_router_routes_a_ticket_when_its_ring_opens_and_the_events_say_how() -> None:
    """Saturday night only Manila works; it takes other languages after 15 minutes. The
    in-house teams' rings (5 minutes) and Riga's (10) open first, but they are closed."""
    desk = Desk(SATURDAY_NIGHT)
    sent = opened(
        ticket_id="t-sv", channel=Channel.EMAIL, language="sv", received_at=SATURDAY_NIGHT
    )
    (stalled,) = desk.send(sent)
    assert isinstance(stalled, RoutingStalled)
    assert stalled.next_ring_at == SATURDAY_NIGHT + timedelta(minutes=5)
    desk.now += timedelta(minutes=14)
    assert desk.tick() == []
    desk.now += timedelta(minutes=2)
    (assigned,) = desk.tick()
    assert isinstance(assigned, TicketAssigned)
    assert assigned.team_id == "manila-247"
    assert assigned.needs_translation
    assert assigned.work_language == "en"
    assert assigned.ring is not None
    assert assigned.ring.level == 3
    assert assigned.ring.opened_after_seconds == 900
    assert assigned.ring.waited_seconds == 960
    rings_seen = {a.team_id: a.ring for a in assigned.alternatives}
    assert rings_seen["manila-247"] == 3
    assert rings_seen["tallinn-care"] == 1


def test_an_in_house_queue_entry_says_it_needs_a_translation() -> None:
    desk = Desk()  # Friday noon: everyone works, Tallinn takes any language after 5 minutes
    sent = opened(ticket_id="t-sv", channel=Channel.PHONE, language="sv", received_at=desk.now)
    assert [type(e) for e in desk.send(sent)] == [RoutingStalled]
    desk.now += timedelta(minutes=6)
    out = desk.tick()
    queued = next(e for e in out if isinstance(e, QueuedTicket))
    assert queued.needs_translation
    assert queued.work_language == "en"
