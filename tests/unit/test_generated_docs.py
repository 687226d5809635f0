"""Generated documents stay current: regenerate with `make docs`."""

from __future__ import annotations

import json

from switchboard.contract import (
    ASYNCAPI_PATH,
    PARTNER_API_PATH,
    asyncapi_document,
    partner_api_document,
)


def test_committed_asyncapi_document_is_current() -> None:
    assert ASYNCAPI_PATH.read_text() == asyncapi_document(), "run `make docs`"


def test_asyncapi_covers_the_three_services() -> None:
    document = json.loads(asyncapi_document())
    assert document["asyncapi"].startswith("3.")
    operations = set(document["operations"])
    for expected in ("tickets:route", "tickets:sla", "ingest.messages:thread", "sla:publish"):
        assert expected in operations
    assert any(name.startswith("inbound:normalise:inbound.email") for name in operations)


def test_committed_partner_api_document_is_current() -> None:
    assert PARTNER_API_PATH.read_text() == partner_api_document(), "run `make docs`"


def test_partner_api_document_needs_a_key_everywhere() -> None:
    document = json.loads(partner_api_document())
    assert document["info"]["title"] == "Switchboard Partner API"
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert len(operations) == 12  # the rating endpoint (issue 18) made it 12
    assert all(op["security"] == [{"HTTPBearer": []}] for op in operations)
    assert all("401" in op["responses"] and "429" in op["responses"] for op in operations)


def test_asyncapi_covers_the_partner_api() -> None:
    operations = set(json.loads(asyncapi_document())["operations"])
    assert {
        "tickets+sla:partner-view:ticketsSubscribe",
        "tickets+sla:partner-view:slaSubscribe",
        "teams:partner-capacity",
        "tickets:partner-api",
        "partner.audit:publish",
    } <= operations
