"""The routing policy, scenario by scenario."""

from __future__ import annotations

from services.router.domain.explain import OverflowReason
from services.router.domain.load import DeskFigures, TeamLoad
from services.router.domain.policy import decide
from tests.unit.router.support import (
    FRIDAY_NOON,
    WEEKDAYS,
    FakeView,
    registry,
    request,
    team,
)

TALLINN_HOURS = {"time_zone": "Europe/Tallinn", "weekly": WEEKDAYS}
EVENING = FRIDAY_NOON.replace(hour=19)  # 21:00 in Tallinn


def desk() -> object:
    return registry(
        team("tallinn", hours=TALLINN_HOURS),
        team("cheap-partner", "partner", cost_per_ticket="2.50"),
        team("dear-partner", "partner", cost_per_ticket="4.00"),
    )


def test_in_house_when_it_can_answer_within_the_budget() -> None:
    decision = decide(desk(), request(), FakeView(), FRIDAY_NOON)  # type: ignore[arg-type]
    assert decision.team is not None
    assert decision.team.id == "tallinn"
    assert decision.kind == "in_house"
    assert "Tallinn (in-house) can answer within the budget" in decision.reason
    assert {c.team.id for c in decision.considered} == {"tallinn", "cheap-partner", "dear-partner"}


def test_after_hours_goes_to_the_cheapest_partner_and_says_why() -> None:
    decision = decide(desk(), request(), FakeView(), EVENING)  # type: ignore[arg-type]
    assert decision.team is not None
    assert decision.team.id == "cheap-partner"
    assert decision.kind == "overflow"
    assert decision.overflow_reason is OverflowReason.IN_HOUSE_CLOSED
    assert "closed" in decision.reason
    closed = next(c for c in decision.considered if c.team.id == "tallinn")
    assert not closed.eligible
    assert closed.note == "closed (outside working hours)"


def test_full_in_house_overflows() -> None:
    view = FakeView({"tallinn": TeamLoad(open=4, capacity=4)})
    decision = decide(desk(), request(), view, FRIDAY_NOON)  # type: ignore[arg-type]
    assert decision.team is not None
    assert decision.team.id == "cheap-partner"
    assert decision.overflow_reason is OverflowReason.IN_HOUSE_FULL


def test_in_house_over_budget_overflows_before_it_is_full() -> None:
    # 1 free slot, but arrivals near what the team can serve: Erlang C says minutes.
    view = FakeView({"tallinn": TeamLoad(open=3, capacity=4, arrival_rate=3.8 / 900)})
    decision = decide(desk(), request(budget=120), view, FRIDAY_NOON)  # type: ignore[arg-type]
    assert decision.team is not None
    assert decision.team.id == "cheap-partner"
    assert decision.overflow_reason is OverflowReason.IN_HOUSE_OVER_BUDGET
    tallinn = next(c for c in decision.considered if c.team.id == "tallinn")
    assert tallinn.predicted_wait is not None
    assert tallinn.predicted_wait > 120


def test_nobody_fits_gives_the_least_bad_choice() -> None:
    view = FakeView(
        {
            "tallinn": TeamLoad(open=3, capacity=4, arrival_rate=3.9 / 900),
            "cheap-partner": TeamLoad(open=3, capacity=4, arrival_rate=3.95 / 900),
            "dear-partner": TeamLoad(open=0, capacity=0),
        }
    )
    decision = decide(desk(), request(budget=10), view, FRIDAY_NOON)  # type: ignore[arg-type]
    assert decision.kind == "least_bad"
    assert decision.team is not None
    assert decision.team.id == "tallinn"  # the shorter predicted wait
    assert "No team can answer within the 10s budget" in decision.reason


def test_nobody_eligible_stalls_with_the_reasons() -> None:
    reg = registry(team("tallinn", hours=TALLINN_HOURS))
    decision = decide(reg, request(), FakeView(), EVENING)
    assert decision.team is None
    assert decision.kind == "stalled"
    assert "Tallinn closed (outside working hours)" in decision.reason


def test_all_full_stalls_rather_than_exceeding_capacity() -> None:
    view = FakeView({t: TeamLoad(open=4, capacity=4) for t in ("tallinn", "cheap-partner")})
    reg = registry(team("tallinn"), team("cheap-partner", "partner"))
    decision = decide(reg, request(), view, FRIDAY_NOON)
    assert decision.team is None
    assert "every eligible team is at capacity" in decision.reason


def test_no_team_with_the_skill_is_explained() -> None:
    reg = registry(team("tallinn"))
    decision = decide(reg, request(skill="payments_billing"), FakeView(), FRIDAY_NOON)
    assert decision.team is None
    assert "no team handles payments_billing" in decision.reason
    decision = decide(reg, request(language="tr"), FakeView(), FRIDAY_NOON)
    assert "no team with orders_shipping speaks tr" in decision.reason


def test_data_policy_keeps_vip_and_payment_disputes_in_house() -> None:
    reg = registry(
        team("tallinn", skills={"payments_billing": 1.0, "orders_shipping": 1.0}),
        team("partner", "partner", skills={"payments_billing": 1.0, "orders_shipping": 1.0}),
        data_policy={"never_skills": ["payments_billing"], "never_tiers": ["vip"]},
    )
    full = FakeView({"tallinn": TeamLoad(open=4, capacity=4)})
    for kept_home in (request(skill="payments_billing"), request(tier="vip")):
        decision = decide(reg, kept_home, full, FRIDAY_NOON)
        assert decision.team is None, kept_home
        assert [c.team.id for c in decision.considered] == ["tallinn"]
    assert decide(reg, request(), full, FRIDAY_NOON).team is not None


def test_a_partner_contract_can_keep_a_marketplace_away() -> None:
    reg = registry(
        team(
            "partner",
            "partner",
            channels=["marketplace"],
            contract={"data_policy": {"never_marketplaces": ["amazon"]}},
        )
    )
    decision = decide(
        reg, request(channel="marketplace", marketplace="amazon"), FakeView(), FRIDAY_NOON
    )
    assert decision.team is None
    allegro = decide(
        reg, request(channel="marketplace", marketplace="allegro"), FakeView(), FRIDAY_NOON
    )
    assert allegro.team is not None


def test_declined_teams_are_never_chosen_again() -> None:
    decision = decide(
        desk(),  # type: ignore[arg-type]
        request(declined=frozenset({"cheap-partner"})),
        FakeView(),
        EVENING,
    )
    assert decision.team is not None
    assert decision.team.id == "dear-partner"


def test_daily_volume_cap_blocks_a_partner() -> None:
    reg = registry(
        team("capped", "partner", cost_per_ticket="1.00", contract={"daily_volume_cap": 10}),
        team("other", "partner", cost_per_ticket="9.00"),
    )
    view = FakeView({"capped": TeamLoad(open=0, capacity=4, offers_today=10)})
    decision = decide(reg, request(), view, FRIDAY_NOON)
    assert decision.team is not None
    assert decision.team.id == "other"
    capped = next(c for c in decision.considered if c.team.id == "capped")
    assert capped.note == "daily volume cap reached (10)"


def test_minimum_share_prefers_a_partner_behind_its_contract() -> None:
    reg = registry(
        team("cheap", "partner", cost_per_ticket="1.00"),
        team("promised", "partner", cost_per_ticket="3.00", contract={"minimum_daily_share": 0.2}),
        share_limit=1.0,
    )
    behind = FakeView(
        {"promised": TeamLoad(open=0, capacity=4, offers_today=1)},
        figures=DeskFigures(assigned_today=20, to_partners_today=20),
    )
    chosen = decide(reg, request(), behind, FRIDAY_NOON).team
    assert chosen is not None
    assert chosen.id == "promised"
    caught_up = FakeView(
        {"promised": TeamLoad(open=0, capacity=4, offers_today=10)},
        figures=DeskFigures(assigned_today=20, to_partners_today=20),
    )
    chosen = decide(reg, request(), caught_up, FRIDAY_NOON).team
    assert chosen is not None
    assert chosen.id == "cheap"


def test_share_limit_keeps_overflow_in_house_while_in_house_can_take_it() -> None:
    reg = registry(team("tallinn"), team("partner", "partner"), share_limit=0.3)
    busy = FakeView(
        {"tallinn": TeamLoad(open=3, capacity=4, arrival_rate=3.9 / 900)},
        figures=DeskFigures(assigned_today=10, to_partners_today=3),
    )
    decision = decide(reg, request(budget=60), busy, FRIDAY_NOON)
    assert decision.team is not None
    assert decision.team.id == "tallinn"
    assert decision.kind == "least_bad"
    assert "outsourcing share limit (30%" in decision.reason
    # With no in-house team able to take it, the partner is still used.
    full = FakeView(
        {"tallinn": TeamLoad(open=4, capacity=4)},
        figures=DeskFigures(assigned_today=10, to_partners_today=3),
    )
    chosen = decide(reg, request(budget=60), full, FRIDAY_NOON).team
    assert chosen is not None
    assert chosen.id == "partner"


def test_offline_team_and_phone_needs_voice() -> None:
    reg = registry(
        team("voice", channels=["phone"]),
        team("offline", channels=["phone"], capabilities=["voice"]),
    )
    view = FakeView({"offline": TeamLoad(open=0, capacity=4, online=False)})
    decision = decide(reg, request(channel="phone", needs=frozenset({"voice"})), view, FRIDAY_NOON)
    assert decision.team is not None
    assert decision.team.id == "voice"
    assert next(c for c in decision.considered if c.team.id == "offline").blocked == "offline"


def test_undetermined_language_may_go_to_any_team() -> None:
    decision = decide(registry(team("tallinn")), request(language="und"), FakeView(), FRIDAY_NOON)
    assert decision.team is not None
