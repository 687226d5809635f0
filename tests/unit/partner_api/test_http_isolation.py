"""Authentication and isolation: every endpoint needs a key; a partner can neither see nor
touch another partner's or an in-house ticket, and cannot tell them from unknown ids."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from schemas.base import TeamKind
from services.router.partner_api.domain.minimise import pseudonym
from tests.support.partner_api import RIGA_OLD_KEY, SECRET
from tests.support.partner_events import PARTNER, offered
from tests.unit.partner_api.conftest import Desk

ACTIONS = {
    "accept": None,
    "reject": {"reason": "not ours"},
    "first-response": None,
    "resolve": None,
    "release": {"reason": "not ours"},
    "rating": {"score": 4},
}


def _without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    error: dict[str, Any] = dict(body["error"])
    error.pop("request_id")
    return error


async def test_every_endpoint_needs_a_valid_key(desk: Desk) -> None:
    mine = desk.offer("t-1")
    routes = [
        ("GET", "/v1/assignments"),
        ("GET", f"/v1/assignments/{mine.assignment_id}"),
        *(("POST", f"/v1/assignments/{mine.assignment_id}/{a}") for a in ACTIONS),
        ("GET", "/v1/capacity"),
        ("POST", "/v1/capacity"),
        ("GET", "/v1/stats"),
        ("GET", "/v1/partner"),
    ]
    paths = desk.local.app.openapi()["paths"]
    documented = [(method, path) for path, item in paths.items() for method in item]
    assert len(documented) == len(routes), "a new endpoint needs a line here"
    for key in (None, "sbp_guess", RIGA_OLD_KEY):
        for method, path in routes:
            headers = {"Idempotency-Key": "k1"}
            if key is not None:
                headers["Authorization"] = f"Bearer {key}"
            response = await desk.anonymous.request(method, path, headers=headers, json={})
            assert response.status_code == 401, (key, method, path)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert response.json()["error"]["type"] == "authentication_error"
    codes = {a.outcome for a in desk.local.pipeline.audits}
    assert codes == {"missing_api_key", "invalid_api_key", "api_key_revoked"}
    assert desk.local.pipeline.ticket_events == []


async def test_another_partners_ticket_is_exactly_as_unknown_as_a_missing_one(
    desk: Desk,
) -> None:
    theirs = desk.offer("t-manila", team_id="manila-247")
    in_house = offered("t-house", team_id="tallinn-care", kind=TeamKind.IN_HOUSE)
    desk.local.pipeline.feed(in_house)
    missing = uuid.uuid4()
    for target in (theirs.assignment_id, in_house.assignment_id, missing, "not-a-uuid"):
        got = await desk.riga.get(f"/v1/assignments/{target}")
        assert got.status_code == 404
        assert _without_request_id(got.json()) == {
            "type": "not_found",
            "code": "resource_missing",
            "message": f"No such assignment: '{target}'",
        }
        for action, body in ACTIONS.items():
            acted = await desk.riga.post(
                f"/v1/assignments/{target}/{action}", body, key=f"x-{target}-{action}"
            )
            assert acted.status_code == 404, (target, action)
            assert _without_request_id(acted.json()) == _without_request_id(got.json())
    # Nothing was written, Manila's offer is untouched, and listings never show it.
    assert desk.local.pipeline.ticket_events == []
    theirs_now = await desk.manila.get(f"/v1/assignments/{theirs.assignment_id}")
    assert theirs_now.json()["status"] == "offered"
    for status in ("offered", "accepted", "rejected", "resolved"):
        listed = await desk.riga.get("/v1/assignments", status=status)
        assert listed.json()["data"] == []


async def test_listings_and_statistics_show_only_the_callers_own(desk: Desk) -> None:
    mine = [desk.offer(f"t-riga-{n}") for n in range(3)]
    theirs = [desk.offer(f"t-manila-{n}", team_id="manila-247") for n in range(2)]
    riga = (await desk.riga.get("/v1/assignments")).json()["data"]
    manila = (await desk.manila.get("/v1/assignments")).json()["data"]
    assert {a["id"] for a in riga} == {str(a.assignment_id) for a in mine}
    assert {a["id"] for a in manila} == {str(a.assignment_id) for a in theirs}
    stats = (await desk.riga.get("/v1/stats")).json()
    assert (stats["team_id"], stats["total"]["offered"]) == (PARTNER, 3)


async def test_an_idempotency_key_cannot_reach_another_partners_request(desk: Desk) -> None:
    theirs = desk.offer("t-manila", team_id="manila-247")
    taken = await desk.manila.post(f"/v1/assignments/{theirs.assignment_id}/accept", key="same-key")
    assert taken.status_code == 200
    # Riga reusing Manila's key names a different event (keys are per partner): a 404.
    tried = await desk.riga.post(f"/v1/assignments/{theirs.assignment_id}/accept", key="same-key")
    assert tried.status_code == 404


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "bearer  ", "sbp_no_scheme"])
async def test_malformed_authorization_headers_are_refused(desk: Desk, header: str) -> None:
    response = await desk.anonymous.get("/v1/assignments", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "missing_api_key"


async def test_pseudonyms_do_not_let_partners_match_customers(desk: Desk) -> None:
    one = desk.offer("t-1")
    two = desk.offer("t-2", team_id="manila-247", customer={"customer_key": "key-t-1", "name": "K"})
    riga = (await desk.riga.get(f"/v1/assignments/{one.assignment_id}")).json()["customer"]
    manila = (await desk.manila.get(f"/v1/assignments/{two.assignment_id}")).json()["customer"]
    assert riga["id"] == pseudonym(SECRET, PARTNER, "key-t-1")
    assert manila["id"] == pseudonym(SECRET, "manila-247", "key-t-1")
    assert riga["id"] != manila["id"]
