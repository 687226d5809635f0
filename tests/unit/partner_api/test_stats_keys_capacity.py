"""Contract statistics, API keys, webhook signatures and capacity announcements."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from schemas.base import SlaMetric, derive_id
from schemas.config import SwitchboardConfig, load_config
from schemas.config.partner_api import ApiKey, PartnerApiConfig
from schemas.partner_api import CapacityRequest, StatsPeriod
from schemas.teams import TeamCapacity
from schemas.tickets import FirstResponse, OfferAccepted, OfferRejected, TicketResolved
from services.router.partner_api.domain import capacity, signing
from services.router.partner_api.domain.keys import Caller, KeyRing, key_hash, mint_key
from services.router.partner_api.domain.stats import partner_stats, rows_of
from tests.conftest import SAMPLE_CONFIG
from tests.support.partner_events import NOW, PARTNER, action, breached, offered, opened
from tests.unit.partner_api.test_view import replay

RIGA = ZoneInfo("Europe/Riga")


def test_statistics_count_each_fact_on_its_own_day() -> None:
    day = NOW.astimezone(RIGA).date()
    # Ticket 1: accepted after 1 min, answered, resolved after 20 min: both targets met.
    one = offered("t-1")
    t1 = replay(
        opened("t-1"),
        one,
        action(OfferAccepted, one, at=NOW + timedelta(minutes=1)),
        action(FirstResponse, one, at=NOW + timedelta(minutes=5)),
        action(TicketResolved, one, at=NOW + timedelta(minutes=21)),
    )
    # Ticket 2: accepted, answered after the first-response deadline passed, resolved the
    # next day: first response breached, resolution met.
    two = offered("t-2")
    t2 = replay(
        opened("t-2"),
        two,
        action(OfferAccepted, two, at=NOW + timedelta(minutes=2)),
        breached("t-2", SlaMetric.FIRST_RESPONSE, NOW + timedelta(hours=1)),
        action(FirstResponse, two, at=NOW + timedelta(hours=2)),
        action(TicketResolved, two, at=NOW + timedelta(days=1)),
    )
    # Ticket 3: rejected. Ticket 4: another partner's, never counted.
    three = offered("t-3")
    t3 = replay(opened("t-3"), three, action(OfferRejected, three))
    four = offered("t-4", team_id="manila-247")
    t4 = replay(opened("t-4"), four, action(OfferAccepted, four))
    tickets = [t for t in (t1, t2, t3, t4) if t is not None]
    work = [row for t in tickets for row in rows_of(t)[0]]
    breaches = {t.ticket_id: rows_of(t)[1] for t in tickets}

    def figures(first: date, last: date) -> tuple[StatsPeriod, list[StatsPeriod]]:
        return partner_stats(work, breaches, team_id=PARTNER, first=first, last=last, zone=RIGA)

    total, days = figures(day, day + timedelta(days=1))
    first = days[0]
    assert (first.offered, first.accepted, first.rejected) == (3, 2, 1)
    assert (first.first_responses, first.first_response_met, first.first_response_breached) == (
        2,
        1,
        1,
    )
    assert (first.resolved, first.resolution_met, first.average_handle_seconds) == (1, 1, 1200.0)
    assert first.average_accept_seconds == 90.0
    second = days[1]
    assert (second.resolved, second.resolution_met, second.offered) == (1, 1, 0)
    assert (total.resolved, total.offered, total.first_response_breached) == (2, 3, 1)
    assert total.average_handle_seconds == pytest.approx((1200 + 86400 - 120) / 2, abs=0.1)
    assert [d.start for d in days] == [day, day + timedelta(days=1)]
    later, _ = figures(day + timedelta(days=5), day + timedelta(days=6))
    assert (later.offered, later.resolved, later.average_handle_seconds) == (0, 0, None)


def test_minted_keys_are_random_and_identified_by_their_hash() -> None:
    key, other = mint_key(), mint_key()
    assert key != other
    assert key.startswith("sbp_")
    assert len(key) == 47
    live = ApiKey(id="riga-1", sha256=key_hash(key))
    revoked = ApiKey(id="riga-0", sha256=key_hash(other), revoked=True)
    ring = KeyRing.from_config(
        PartnerApiConfig.model_validate({"partners": {PARTNER: {"keys": [live, revoked]}}})
    )
    assert ring.identify(key, NOW) == Caller(PARTNER, "riga-1")
    assert ring.identify(other, NOW) == "api_key_revoked"
    assert ring.identify(key + "x", NOW) == "invalid_api_key"
    assert ring.identify(None, NOW) == "missing_api_key"
    expiring = KeyRing.from_config(
        PartnerApiConfig.model_validate(
            {"partners": {PARTNER: {"keys": [live.model_copy(update={"expires_at": NOW})]}}}
        )
    )
    assert expiring.identify(key, NOW - timedelta(seconds=1)) == Caller(PARTNER, "riga-1")
    assert expiring.identify(key, NOW) == "api_key_expired"


def test_config_refuses_keys_for_non_partners_and_keys_used_twice() -> None:
    base = load_config(SAMPLE_CONFIG).model_dump(mode="json")
    digest = key_hash("k")

    def with_partner_api(section: dict[str, object]) -> SwitchboardConfig:
        return SwitchboardConfig.model_validate({**base, "partner_api": section})

    with pytest.raises(ValidationError, match="not a partner team"):
        with_partner_api({"partners": {"tallinn-care": {}}})
    twice = {"keys": [{"id": "a", "sha256": digest}]}
    with pytest.raises(ValidationError, match="configured twice"):
        with_partner_api(
            {"partners": {PARTNER: twice, "manila-247": {"keys": [{"id": "b", "sha256": digest}]}}}
        )
    with pytest.raises(ValidationError, match="64 lower-case hex"):
        with_partner_api({"partners": {PARTNER: {"keys": [{"id": "a", "sha256": "abc"}]}}})
    with pytest.raises(ValidationError, match="not both"):
        with_partner_api(
            {"partners": {PARTNER: {"fields": ["customer.email", "customer.email_masked"]}}}
        )
    with pytest.raises(ValidationError, match="https"):
        with_partner_api(
            {
                "partners": {
                    PARTNER: {
                        "webhook": {"url": "http://bpo.example.com/h", "signing_secret_env": "X"}
                    }
                }
            }
        )
    with pytest.raises(ValidationError, match="rate limit"):
        with_partner_api({"partners": {PARTNER: {"rate_limit": "lots"}}})
    loopback = with_partner_api(
        {
            "partners": {
                PARTNER: {"webhook": {"url": "http://127.0.0.1:9/h", "signing_secret_env": "X"}}
            }
        }
    )
    assert loopback.partner_api.partners[PARTNER].webhook is not None


def test_webhook_signatures_verify_and_refuse_tampering_and_replays() -> None:
    secret, body, sent = b"w" * 32, b'{"id": "1"}', 1_764_237_600
    header = signing.signature_header(secret, sent, body)
    assert header.startswith(f"t={sent},v1=")
    assert signing.verify(secret, header, body, now=sent + 10)
    assert not signing.verify(secret, header, body + b" ", now=sent + 10)
    assert not signing.verify(b"x" * 32, header, body, now=sent + 10)
    assert not signing.verify(secret, header, body, now=sent + 301), "a replay an hour later"
    assert not signing.verify(secret, "v1=abc", body, now=sent)


def test_capacity_announcements_are_bounded() -> None:
    today = date(2026, 11, 27)
    good = CapacityRequest.model_validate(
        {"agents_on_shift": 12, "planned": [{"day": "2026-11-28", "agents": 30}]}
    )
    assert capacity.problems(good, today, max_agents=100) == []
    bad = CapacityRequest.model_validate(
        {
            "agents_on_shift": 500,
            "planned": [
                {"day": "2026-11-26", "agents": 1},
                {"day": "2027-01-30", "agents": 1},
                {"day": "2026-11-28", "agents": 101},
                {"day": "2026-11-28", "agents": 1},
            ],
        }
    )
    assert capacity.problems(bad, today, max_agents=100) == [
        "agents_on_shift: more than the 100 agents your contract allows",
        "planned[0].day: 2026-11-26 is in the past (today is 2026-11-27)",
        "planned[1].day: plans reach at most 28 days ahead",
        "planned[2].agents: more than the 100 your contract allows",
        "planned[3].day: 2026-11-28 is planned twice",
    ]
    with pytest.raises(ValidationError):
        CapacityRequest.model_validate({"agents_on_shift": -1})
    with pytest.raises(ValidationError):
        CapacityRequest.model_validate({"agents_on_shift": 1, "surprise": True})


def test_the_capacity_record_remembers_recent_announcements_once() -> None:
    def announced(agents: int, at: datetime, event: str) -> TeamCapacity:
        return TeamCapacity(
            event_id=key_uuid(event),
            occurred_at=at,
            correlation_id="c",
            team_id=PARTNER,
            agents_on_shift=agents,
            announced_by="partner-api/riga-1",
        )

    first = capacity.apply_capacity(None, announced(5, NOW, "a"), NOW)
    second = capacity.apply_capacity(first, announced(7, NOW, "b"), NOW)
    again = capacity.apply_capacity(second, announced(5, NOW, "a"), NOW)
    assert again is second, "a duplicate of an older announcement does not win"
    assert second.latest.agents_on_shift == 7
    assert [a.event_id for a in second.recent] == [key_uuid("a"), key_uuid("b")]
    week_later = capacity.apply_capacity(second, announced(9, NOW, "c"), NOW + timedelta(days=8))
    assert [a.event_id for a in week_later.recent] == [key_uuid("c")]
    assert first.recent[0].fingerprint == capacity.fingerprint(5, [])


def key_uuid(name: str) -> uuid.UUID:
    return derive_id("test", name)
