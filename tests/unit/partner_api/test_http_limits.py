"""Rate limits, body limits, the audit trail, capacity announcements and statistics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx

from schemas.tickets import FirstResponse, OfferAccepted, TicketResolved
from tests.support.partner_api import (
    MANILA_KEY,
    RIGA_KEY,
    LocalApi,
    local_api,
    partner_config,
)
from tests.support.partner_events import PARTNER, action, offered, opened
from tests.unit.partner_api.conftest import Desk, Partner


async def test_each_key_has_its_own_rate_limit_with_retry_after() -> None:
    local = local_api(partner_config(rate_limit="3/minute"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=local.app), base_url="http://x"
    ) as c:
        riga, manila = Partner(c, RIGA_KEY), Partner(c, MANILA_KEY)
        answers = [await riga.get("/v1/assignments") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
        limited = answers[-1]
        assert limited.json()["error"]["type"] == "rate_limit_error"
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert limited.headers["RateLimit-Limit"] == "3"
        assert (await manila.get("/v1/assignments")).status_code == 200, "another key's budget"
    sample = local.registry.get_sample_value(
        "switchboard_partner_api_rate_limited_total", {"partner": PARTNER}
    )
    assert sample == 1
    assert [a.outcome for a in local.pipeline.audits][-2:] == ["rate_limited", "ok"]


async def test_guessing_keys_is_limited_per_address() -> None:
    local = local_api(auth_failure_limit="5/minute")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=local.app), base_url="http://x"
    ) as c:
        codes = [
            (
                await c.get("/v1/assignments", headers={"Authorization": f"Bearer guess-{n}"})
            ).status_code
            for n in range(7)
        ]
    assert codes == [401] * 5 + [429] * 2
    assert len(local.pipeline.audits) == 5, "the flood is counted, not written to the audit log"


async def test_bodies_are_limited_in_size_and_type(desk: Desk) -> None:
    assigned = desk.offer("t-1")
    path = f"/v1/assignments/{assigned.assignment_id}/reject"
    small = local_api(max_body_bytes=64)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=small.app), base_url="http://x"
    ) as c:
        small.pipeline.feed(opened("t-1"), offered("t-1"))
        riga = Partner(c, RIGA_KEY)
        declared = await riga.post(path, {"reason": "x" * 100})
        assert (declared.status_code, declared.json()["error"]["code"]) == (413, "body_too_large")

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b'{"reason": "' + b"x" * 20

        streamed = await c.post(
            path,
            content=chunks(),
            headers=riga.headers("k", **{"Content-Type": "application/json"}),
        )
        assert (streamed.status_code, streamed.json()["error"]["code"]) == (413, "body_too_large")
    as_form = await desk.riga.client.post(
        path, content=b"reason=x", headers=desk.riga.headers("k2", **{"Content-Type": "text/plain"})
    )
    assert (as_form.status_code, as_form.json()["error"]["code"]) == (415, "unsupported_media_type")
    not_json = await desk.riga.client.post(
        path,
        content=b"{reason",
        headers=desk.riga.headers("k3", **{"Content-Type": "application/json"}),
    )
    assert (not_json.status_code, not_json.json()["error"]["code"]) == (400, "invalid_json")
    typo = await desk.riga.post(path, {"reason": "busy", "reasn": "typo"})
    assert typo.status_code == 422
    assert typo.json()["error"]["errors"][0]["field"] == "body.reasn"
    assert desk.local.pipeline.ticket_events == []


async def test_every_request_is_on_record_with_key_and_outcome(desk: Desk) -> None:
    assigned = desk.offer("t-1")
    path = f"/v1/assignments/{assigned.assignment_id}"
    await desk.riga.get("/v1/assignments")
    await desk.riga.get(path)
    await desk.riga.post(f"{path}/accept", key="idem-1")
    await desk.riga.post(f"{path}/accept", key="idem-2")
    await desk.manila.get(path)
    records = [
        (a.partner_id, a.key_id, a.action, a.status_code, a.outcome, a.ticket_id, a.idempotency_key)
        for a in desk.local.pipeline.audits
    ]
    assert records == [
        (PARTNER, "riga-2026-11", "list_assignments", 200, "ok", None, None),
        (PARTNER, "riga-2026-11", "get_assignment", 200, "ok", "t-1", None),
        (PARTNER, "riga-2026-11", "accept_assignment", 200, "ok", "t-1", "idem-1"),
        (PARTNER, "riga-2026-11", "accept_assignment", 409, "already_accepted", "t-1", "idem-2"),
        ("manila-247", "manila-1", "get_assignment", 404, "resource_missing", None, None),
    ]
    assert all(a.request_id.startswith("req_") for a in desk.local.pipeline.audits)
    assert len({a.event_id for a in desk.local.pipeline.audits}) == 5


async def test_no_data_leaves_without_its_audit_record(desk: Desk) -> None:
    assigned = desk.offer("t-1")
    desk.local.pipeline.fail_audit = True
    read = await desk.riga.get(f"/v1/assignments/{assigned.assignment_id}")
    assert (read.status_code, read.json()["error"]["code"]) == (503, "audit_unavailable")
    assert "Kadri" not in read.text
    # A write already happened and is on record in `tickets`: its answer still goes out.
    wrote = await desk.riga.post(f"/v1/assignments/{assigned.assignment_id}/accept")
    assert wrote.status_code == 200


async def test_capacity_announcements_reach_teams_once_and_are_bounded(desk: Desk) -> None:
    before = (await desk.riga.get("/v1/capacity")).json()
    assert (before["agents_on_shift"], before["announced_at"]) == (20, None)  # the config's
    plan = {
        "agents_on_shift": 14,
        "planned": [{"day": "2026-11-29", "agents": 30}, {"day": "2026-11-28", "agents": 25}],
    }
    first = await desk.riga.post("/v1/capacity", plan, key="cap-1")
    assert first.status_code == 200, first.text
    assert first.json()["agents_on_shift"] == 14
    assert [p["day"] for p in first.json()["planned"]] == ["2026-11-28", "2026-11-29"]
    again = await desk.riga.post("/v1/capacity", plan, key="cap-1")
    assert again.json() == first.json()
    newer = await desk.riga.post("/v1/capacity", {"agents_on_shift": 9}, key="cap-2")
    assert newer.json()["agents_on_shift"] == 9
    late_retry = await desk.riga.post("/v1/capacity", plan, key="cap-1")
    assert late_retry.json()["agents_on_shift"] == 9, "a late retry must not undo a newer one"
    events = desk.local.pipeline.capacity_events
    assert [(e.team_id, e.agents_on_shift, e.online) for e in events] == [
        (PARTNER, 14, True),
        (PARTNER, 9, True),
    ]
    assert events[0].announced_by == "partner-api/riga-2026-11"
    too_many = await desk.riga.post("/v1/capacity", {"agents_on_shift": 201}, key="cap-3")
    assert too_many.status_code == 422
    assert too_many.json()["error"]["code"] == "invalid_capacity"
    past = await desk.riga.post(
        "/v1/capacity",
        {"agents_on_shift": 1, "planned": [{"day": "2026-11-01", "agents": 1}]},
        key="cap-4",
    )
    assert past.json()["error"]["errors"][0]["field"] == "planned[0].day"
    assert len(desk.local.pipeline.capacity_events) == 2


async def test_statistics_for_a_period(desk: Desk) -> None:
    assigned = desk.offer("t-1")
    clock = desk.local.clock
    desk.local.pipeline.feed(
        action(OfferAccepted, assigned, at=clock.now() + timedelta(minutes=1)),
        action(FirstResponse, assigned, at=clock.now() + timedelta(minutes=4)),
        action(TicketResolved, assigned, at=clock.now() + timedelta(minutes=11)),
    )
    stats = (await desk.riga.get("/v1/stats", **{"from": "2026-11-21", "to": "2026-11-27"})).json()
    assert stats["time_zone"] == "Europe/Riga"
    assert len(stats["days"]) == 7
    total = stats["total"]
    assert (total["offered"], total["resolved"], total["first_response_met"]) == (1, 1, 1)
    assert total["average_handle_seconds"] == 600.0
    assert stats["days"][-1]["resolved"] == 1
    wrong = await desk.riga.get("/v1/stats", **{"from": "2026-11-27", "to": "2026-11-01"})
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "invalid_period")
    too_long = await desk.riga.get("/v1/stats", **{"from": "2026-01-01", "to": "2026-11-01"})
    assert too_long.status_code == 400


async def test_partner_info_says_who_the_key_belongs_to(desk: Desk) -> None:
    info = (await desk.riga.get("/v1/partner")).json()
    assert (info["team_id"], info["key_id"], info["offer_accept_timeout_seconds"]) == (
        PARTNER,
        "riga-2026-11",
        180.0,
    )


def test_the_local_api_fixture_is_isolated(local: LocalApi) -> None:
    assert local.pipeline.audits == []
