"""A partner's work over HTTP: answers, masking, state-machine conflicts, idempotency,
pagination, capacity and statistics (no Kafka: the local pipeline stands in)."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx

from schemas.config.partner_api import DEFAULT_FIELDS
from schemas.partner_api import AssignmentDetail, AssignmentSummary
from schemas.tickets import (
    FirstResponse,
    OfferAccepted,
    OfferRejected,
    TicketEvent,
    TicketRated,
    TicketResolved,
)
from services.router.partner_api.index import ViewIndex
from tests.support.partner_api import RIGA_KEY, local_api
from tests.support.partner_events import PARTNER, action, expired, offered, opened
from tests.unit.partner_api.conftest import Desk, Partner

PARTNER_EVENTS = (OfferAccepted, FirstResponse, TicketResolved)


async def test_an_offer_shows_what_the_allow_list_names_and_nothing_else(desk: Desk) -> None:
    raw = json.loads(opened("t-1").to_json_bytes())
    raw["customer"] |= {"date_of_birth": "1990-01-01", "loyalty_card": "LC-99"}
    raw |= {"internal_notes": "refund approved by CFO", "ip_address": "10.1.2.3"}
    stuffed = opened("t-1").model_validate(raw)
    assigned = desk.offer("t-0")  # some other ticket
    desk.local.pipeline.feed(stuffed, assigned.model_copy(update={"ticket_id": "t-1"}))
    body = (await desk.riga.get(f"/v1/assignments/{assigned.assignment_id}")).text
    detail = json.loads(body)
    assert detail["customer"]["email_masked"] == "k***@e***.com"
    assert detail["customer"]["name"] == "Kadri Tamm"
    assert set(detail["customer"]) == {"id", "name", "email_masked", "phone_masked"}
    assert detail["order"] == {"id": "4711"}
    for secret in ("kadri.tamm@example.com", "1990-01-01", "LC-99", "CFO", "10.1.2.3", "5555"):
        assert secret not in body
    AssignmentDetail.model_validate(detail)
    assert {f.value for f in DEFAULT_FIELDS} == set(
        (await desk.riga.get("/v1/partner")).json()["fields"]
    )


async def test_a_partner_allowed_clear_email_gets_it(desk: Desk) -> None:
    assigned = desk.offer("t-1", team_id="manila-247")
    detail = (await desk.manila.get(f"/v1/assignments/{assigned.assignment_id}")).json()
    assert set(detail["customer"]) == {"id", "name", "email"}
    assert detail["customer"]["email"] == "kadri.tamm@example.com"
    assert "order" not in detail
    assert "subject" not in detail


async def test_a_whole_assignment_accept_respond_resolve(desk: Desk) -> None:
    assigned = desk.offer("t-1")
    path = f"/v1/assignments/{assigned.assignment_id}"
    accepted = await desk.riga.post(f"{path}/accept")
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["allowed_actions"]) == (
        "accepted",
        ["first_response", "resolve", "release"],
    )
    responded = await desk.riga.post(f"{path}/first-response", {"awaiting_customer": True})
    assert responded.json()["status"] == "responded"
    assert responded.json()["awaiting_customer"] is True
    resolved = await desk.riga.post(f"{path}/resolve", {"resolution": "new parcel sent"})
    assert resolved.json()["status"] == "resolved"
    assert "customer" not in resolved.json(), "no personal data once the work is done"
    events = desk.local.pipeline.ticket_events
    assert [e.type for e in events] == [
        "ticket.offer_accepted",
        "ticket.first_response",
        "ticket.resolved",
    ]
    actors = {(e.actor.kind, e.actor.key_id) for e in events if isinstance(e, PARTNER_EVENTS)}
    assert actors == {("partner", "riga-2026-11")}
    assert all(e.correlation_id == "c-t-1" for e in events)
    assert isinstance(events[2], TicketResolved)
    assert events[2].resolution == "new parcel sent"
    # The read after the write shows it (the view holds the outcome before the 200).
    assert (await desk.riga.get(path)).json()["status"] == "resolved"


async def test_illegal_transitions_answer_409_with_the_current_state(desk: Desk) -> None:
    one = desk.offer("t-1")
    path = f"/v1/assignments/{one.assignment_id}"
    assert (await desk.riga.post(f"{path}/accept", key="a1")).status_code == 200
    twice = await desk.riga.post(f"{path}/accept", key="a2")
    assert twice.status_code == 409
    error = twice.json()["error"]
    assert (error["type"], error["code"]) == ("conflict", "already_accepted")
    assert error["status"] == "accepted"
    assert error["assignment"]["status"] == "accepted"
    assert (await desk.riga.post(f"{path}/resolve", key="r1")).status_code == 200
    release = await desk.riga.post(f"{path}/release", {"reason": "oops"}, key="l1")
    assert release.status_code == 409
    assert release.json()["error"]["code"] == "assignment_resolved"

    two = desk.offer("t-2")
    desk.local.clock.advance(timedelta(minutes=3))
    late = await desk.riga.post(f"/v1/assignments/{two.assignment_id}/accept")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "offer_expired"
    assert late.json()["error"]["status"] == "offered"
    desk.local.pipeline.feed(expired(two))
    gone = await desk.riga.post(f"/v1/assignments/{two.assignment_id}/accept", key="again")
    assert gone.json()["error"]["code"] == "assignment_expired"
    assert gone.json()["error"]["status"] == "expired"

    three = desk.offer("t-3")
    early = await desk.riga.post(f"/v1/assignments/{three.assignment_id}/resolve")
    assert early.json()["error"]["code"] == "not_allowed_while_offered"
    assert "possible now: accept, reject" in early.json()["error"]["message"]
    assert [e.type for e in desk.local.pipeline.ticket_events] == [
        "ticket.offer_accepted",
        "ticket.resolved",
    ]


async def test_a_retried_request_acts_once_and_answers_the_same(desk: Desk) -> None:
    assigned = desk.offer("t-1")
    path = f"/v1/assignments/{assigned.assignment_id}"
    first = await desk.riga.post(f"{path}/reject", {"reason": "busy"}, key="k-1")
    retry = await desk.riga.post(f"{path}/reject", {"reason": "busy"}, key="k-1")
    assert first.status_code == retry.status_code == 200
    assert first.json() == retry.json()
    assert len(desk.local.pipeline.ticket_events) == 1
    reused = await desk.riga.post(f"{path}/reject", {"reason": "other"}, key="k-1")
    assert reused.status_code == 422
    assert (reused.json()["error"]["type"], reused.json()["error"]["code"]) == (
        "idempotency_error",
        "idempotency_key_reused",
    )
    other = desk.offer("t-2")
    elsewhere = await desk.riga.post(
        f"/v1/assignments/{other.assignment_id}/reject", {"reason": "busy"}, key="k-1"
    )
    assert elsewhere.status_code == 422
    missing = await desk.riga.client.post(
        f"{path}/reject", json={"reason": "x"}, headers={"Authorization": f"Bearer {desk.riga.key}"}
    )
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "idempotency_key_invalid"
    replays = desk.local.registry.get_sample_value(
        "switchboard_partner_api_idempotent_replays_total", {"partner": PARTNER}
    )
    assert replays == 1


async def test_a_retry_on_another_instance_finds_the_first_outcome() -> None:
    first = local_api()
    second = local_api(pipeline=first.pipeline, index=ViewIndex())
    first.pipeline.mirrors.append(second.api.index)
    now = first.clock.now()
    assigned = offered("t-1", at=now)
    first.pipeline.feed(opened("t-1", at=now), assigned)
    path = f"/v1/assignments/{assigned.assignment_id}/accept"
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=first.app), base_url="http://a") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=second.app), base_url="http://b") as b,
    ):
        one = await Partner(a, RIGA_KEY).post(path, key="k")
        two = await Partner(b, RIGA_KEY).post(path, key="k")
    assert one.status_code == two.status_code == 200
    assert one.json()["status"] == two.json()["status"] == "accepted"
    assert len(first.pipeline.ticket_events) == 1, "the retry acted a second time"


async def test_of_two_instances_racing_the_second_in_the_log_gets_409(desk: Desk) -> None:
    """Both instances passed their check; the view judges the events in log order."""
    assigned = desk.offer("t-1")
    pipeline = desk.local.pipeline
    original = pipeline.ticket_event

    async def rival_first(event: TicketEvent) -> None:
        pipeline.feed(action(OfferRejected, assigned, reason="busy"))  # the other instance's
        await original(event)

    pipeline.ticket_event = rival_first  # type: ignore[method-assign]
    lost = await desk.riga.post(f"/v1/assignments/{assigned.assignment_id}/accept")
    assert lost.status_code == 409
    assert lost.json()["error"]["code"] == "lost_race"
    assert lost.json()["error"]["status"] == "rejected"
    assert isinstance(pipeline.ticket_events[-1], OfferAccepted)


async def test_pages_are_stable_and_filters_apply(desk: Desk) -> None:
    offers = []
    for n in range(7):
        offers.append(desk.offer(f"t-{n}", language="de" if n % 2 else "en"))
        desk.local.clock.advance(timedelta(seconds=1))
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await desk.riga.get("/v1/assignments", **params)).json()
        seen += [item["id"] for item in page["data"]]
        for item in page["data"]:
            AssignmentSummary.model_validate(item)
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        cursor = page["next_cursor"]
        desk.offer(f"late-{len(seen)}")  # new offers sort last: pages never skip or repeat
    assert seen[:7] == [str(o.assignment_id) for o in offers]
    assert len(seen) == len(set(seen))
    german = (await desk.riga.get("/v1/assignments", language="de")).json()["data"]
    assert [a["id"] for a in german] == [str(o.assignment_id) for o in offers[1::2]]
    mismatched = await desk.riga.get("/v1/assignments", language="en", cursor=cursor or "x")
    assert mismatched.status_code == 400
    garbage = await desk.riga.get("/v1/assignments", cursor="!!!")
    assert (garbage.status_code, garbage.json()["error"]["code"]) == (400, "invalid_cursor")


async def test_a_partner_relays_its_customer_s_rating_once_it_answered(desk: Desk) -> None:
    assigned = desk.offer("t-1")
    path = f"/v1/assignments/{assigned.assignment_id}"
    too_early = await desk.riga.post(f"{path}/rating", {"score": 5})
    assert too_early.status_code == 409
    assert too_early.json()["error"]["code"] == "not_allowed_while_offered"
    await desk.riga.post(f"{path}/accept")
    await desk.riga.post(f"{path}/first-response", {"awaiting_customer": False})
    bad = await desk.riga.post(f"{path}/rating", {"score": 6})
    assert bad.status_code == 422
    rated = await desk.riga.post(f"{path}/rating", {"score": 4, "comment": "quick"}, key="r-1")
    assert rated.status_code == 202, rated.text
    assert (rated.json()["score"], rated.json()["ticket_id"]) == (4, "t-1")
    again = await desk.riga.post(f"{path}/rating", {"score": 4, "comment": "quick"}, key="r-1")
    assert again.status_code == 202
    ratings = [e for e in desk.local.pipeline.ticket_events if isinstance(e, TicketRated)]
    assert len(ratings) == 2
    assert ratings[0].event_id == ratings[1].event_id  # a retry names the same event
    assert (ratings[0].source, ratings[0].team_id, ratings[0].actor.kind) == (
        "partner_api",
        PARTNER,
        "partner",
    )
    # Another partner cannot rate it: the same 404 as an assignment that does not exist.
    assert (await desk.manila.post(f"{path}/rating", {"score": 1})).status_code == 404
