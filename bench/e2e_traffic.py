"""The e-mails the end-to-end benchmark sends: one team's burst, or one spread over the desk.

Every e-mail comes from its own customer, so each opens a ticket. The one-team burst is
the same English order question again and again (all of it suits tallinn-care: the worst
case for the router's capacity bound). The spread burst is the simulator's Black Friday
e-mails, cycled, keeping only those that ingest's own classification gives a language
and skill some team of the benchmark's config takes (the others would stall, and the
burst would never end); the router then decides where each goes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemas.base import CustomerTier
from schemas.config import load_config
from schemas.inbound import EmailPayload
from services.ingest.classify import classify
from services.ingest.domain.enrich import Enricher
from services.router.domain.registry import Registry, TicketProfile
from switchboard.simulator.traffic import generate_traffic

#: Builds the payload of the ``index``-th e-mail of a burst, with this message id.
EmailFactory = Callable[[int, str], bytes]


def _sender(message_id: str) -> str:
    return f"{message_id.strip('<>').split('@')[0]}@example.com"


def one_team_email(_: int, message_id: str) -> bytes:
    """A realistic e-mail that suits one team (tallinn-care: English, orders)."""
    return json.dumps(
        {
            "message_id": message_id,
            "from": _sender(message_id),
            "to": ["help@shop.example.com"],
            "subject": "Order 4471123 has not arrived",
            "text": "Hello, I ordered a winter jacket last Monday (order 4471123) and the "
            "tracking page has not changed since Wednesday. Can you check where it is? "
            "Thanks, Maria",
            "received_at": datetime.now(UTC).isoformat(),
            "in_reply_to": None,
        }
    ).encode()


def spread_emails(config_path: Path, *, limit: int = 400) -> SpreadEmails:
    """Up to ``limit`` of the simulator's opening e-mails of Black Friday evening that a
    team can take."""
    config = load_config(config_path)
    registry = Registry(config.teams, config.outsourcing)
    enricher = Enricher(config.ingest)
    start = datetime(2026, 11, 27, 16, tzinfo=UTC)
    end = datetime(2026, 11, 27, 22, tzinfo=UTC)
    kept: list[dict[str, Any]] = []
    languages: Counter[str] = Counter()
    for message in generate_traffic(start, end):
        if len(kept) >= limit:
            break
        if not isinstance(message.payload, EmailPayload) or message.truth.message_index:
            continue
        if message.truth.is_duplicate:
            continue
        payload = message.payload.model_dump(mode="json", by_alias=True)
        seen = classify(
            json.dumps(payload),
            config=config,
            enricher=enricher,
            now=message.at,
            max_bytes=256 * 1024,
            channel=message.channel,
        )
        profile = TicketProfile(
            skill=seen["skill"]["skill"],
            language=seen["language"]["language"],
            channel=message.channel,
            needs=frozenset(seen["needs"]),
            tier=CustomerTier(seen["customer_tier"]),
            marketplace=None,
        )
        if registry.candidates(profile):
            kept.append(payload)
            languages[profile.language] += 1
    return SpreadEmails(kept, languages)


class SpreadEmails:
    """Cycles through the kept e-mails, each sent as a new message from a new customer."""

    def __init__(self, payloads: list[dict[str, Any]], languages: Counter[str]) -> None:
        if not payloads:
            raise ValueError("no simulated e-mail suits a team of this config")
        self.payloads = payloads
        self.languages = languages

    def __call__(self, index: int, message_id: str) -> bytes:
        payload = dict(self.payloads[index % len(self.payloads)])
        payload.update(
            message_id=message_id,
            **{"from": _sender(message_id)},
            received_at=datetime.now(UTC).isoformat(),
            in_reply_to=None,
            references=[],
        )
        return json.dumps(payload).encode()
