"""Property-based fuzzing of the partner API from its own OpenAPI document (schemathesis):
no answer is a 5xx, none breaks the documented schema, none ignores authentication.

Seeded (derandomised) and bounded so it runs in seconds; the API runs in-process on the
local pipeline with two partners' data in it, including an offer whose id is the
document's own example, so generated requests reach real assignments too.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.config import SchemathesisConfig

from switchboard.contract import PARTNER_API_PATH
from tests.support.partner_api import RIGA_KEY, LocalApi, local_api
from tests.support.partner_events import derive_assignment, offered, opened

#: Every check runs. Only "schema-valid data is accepted" learns that a valid shape may
#: still be refused on its meaning: an opaque cursor we never gave out (400), a period
#: that ends before it starts (400), a planned day in the past or an idempotency key
#: reused for another request (422). "Schema-violating data is rejected" also counts a
#: body refused for its size alone (413) as the rejection it is.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "404", "409", "422", "429"]
            },
            "negative_data_rejection": {
                "expected-statuses": [
                    *("400", "401", "403", "404", "405", "406", "409", "413", "415"),
                    *("422", "428", "429", "5xx"),
                ]
            },
        }
    }
)
SCHEMA = schemathesis.openapi.from_path(PARTNER_API_PATH, config=CONFIG)


LOCAL = local_api()
SCHEMA.app = LOCAL.app  # requests go straight to the ASGI app


@pytest.fixture
def fuzzed() -> LocalApi:
    """The app with fresh data for each operation: Riga's offer under the document's
    example id, and Manila's offer (which Riga must never reach)."""
    LOCAL.api.index.__init__()  # type: ignore[misc]
    LOCAL.pipeline.records.clear()
    now = LOCAL.clock.now()
    example = offered("t-example", at=now)
    LOCAL.pipeline.feed(
        opened("t-example", at=now),
        example.model_copy(update={"assignment_id": derive_assignment()}),
        opened("t-manila", at=now),
        offered("t-manila", team_id="manila-247", at=now),
    )
    return LOCAL


@SCHEMA.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_no_answer_outside_the_schema(case: Any, fuzzed: LocalApi) -> None:
    assert case.operation.app is fuzzed.app
    case.call_and_validate(headers={"Authorization": f"Bearer {RIGA_KEY}"})
