"""Generated documents stay current: regenerate with `make docs`."""

from __future__ import annotations

import json

from switchboard.contract import ASYNCAPI_PATH, asyncapi_document


def test_committed_asyncapi_document_is_current() -> None:
    assert ASYNCAPI_PATH.read_text() == asyncapi_document(), "run `make docs`"


def test_asyncapi_covers_the_three_services() -> None:
    document = json.loads(asyncapi_document())
    assert document["asyncapi"].startswith("3.")
    operations = set(document["operations"])
    for expected in ("tickets:route", "tickets:sla", "ingest.messages:thread", "sla:publish"):
        assert expected in operations
    assert any(name.startswith("inbound:normalise:inbound.email") for name in operations)
