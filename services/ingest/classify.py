"""``switchboard classify``: one message through the service's own path, enrichment out.

The message goes through the same validation and normalisation as the intakes
and through the threader's decision for a customer ingest has never seen, so
the answer is what the service would put on ``ticket.opened``. Support leads
use it to tune the rules in the config file. The ``customers`` topic is not
consulted (the tier comes from the config only).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from schemas.base import Channel
from schemas.config import SwitchboardConfig
from schemas.tickets import TicketOpened
from schemas.topics import inbound_name
from services.ingest.domain.enrich import CustomerClassifier, Enricher
from services.ingest.domain.normalise import identity_key
from services.ingest.domain.priority import resolve_tier
from services.ingest.domain.threads import take_message
from services.ingest.validation import InvalidPayloadError, accept


class ClassifyError(ValueError):
    """The input cannot be classified; the message says why."""


def payload_for_text(channel: Channel, text: str, now: datetime) -> dict[str, Any]:
    """A minimal channel payload around plain text, so it takes the channel's own road."""
    sent = now.isoformat()
    payloads: dict[Channel, dict[str, Any]] = {
        Channel.EMAIL: {
            "message_id": "<classify@switchboard>",
            "from": "classify@example.com",
            "to": ["support@example.com"],
            "text": text,
            "received_at": sent,
        },
        Channel.CHAT: {
            "message_id": "classify",
            "conversation_id": "classify",
            "customer": {"visitor_id": "classify"},
            "text": text,
            "sent_at": sent,
        },
        Channel.PHONE: {
            "call_id": "classify",
            "caller_id": "+000000000",
            "transcript": text,
            "started_at": sent,
        },
        Channel.SOCIAL: {
            "platform": "other",
            "handle": "classify",
            "kind": "dm",
            "dm_id": "classify",
            "text": text,
            "posted_at": sent,
        },
        Channel.MARKETPLACE: {
            "marketplace": "classify",
            "message_id": "classify",
            "order_id": "classify",
            "buyer_id": "classify",
            "text": text,
            "sent_at": sent,
        },
    }
    return payloads[channel]


def _channel_and_body(raw: str, channel: Channel | None, now: datetime) -> tuple[Channel, bytes]:
    if not raw.lstrip().startswith("{"):
        chosen = channel or Channel.EMAIL
        return chosen, json.dumps(payload_for_text(chosen, raw.strip(), now)).encode()
    if channel is not None:
        return channel, raw.encode()
    try:
        named = json.loads(raw).get("channel")
    except (ValueError, AttributeError):
        named = None
    if named not in {c.value for c in Channel}:
        raise ClassifyError(
            "a JSON payload needs --channel or a 'channel' field "
            f"({', '.join(c.value for c in Channel)})"
        )
    return Channel(named), raw.encode()


def classify(
    raw: str,
    *,
    config: SwitchboardConfig,
    enricher: Enricher,
    now: datetime,
    max_bytes: int,
    channel: Channel | None = None,
) -> dict[str, Any]:
    """The enrichment of one message (plain text or a channel payload) as a JSON object."""
    chosen, body = _channel_and_body(raw, channel, now)
    try:
        message = accept(chosen, body, max_bytes, inbound_name(chosen), config.ingest.languages)
    except InvalidPayloadError as exc:
        raise ClassifyError(f"{exc.kind}: {exc}") from None
    tiers = {identity_key(k): v for k, v in config.ingest.customer_tiers.items()}
    tier = resolve_tier(
        message.customer.customer_key, tiers, None, config.ingest.priority.loyal_after_orders
    )
    classifier = CustomerClassifier(enricher, tier)
    outcome = take_message(None, message, now, classifier, config.ingest)
    opened = outcome.events[0]
    assert isinstance(opened, TicketOpened)  # a customer never seen before: a new ticket
    detail = classifier.classify(message)
    return {
        "channel": chosen.value,
        "text": message.text,
        "language": {
            "language": opened.language,
            "confidence": opened.language_confidence,
            "candidates": [
                {"language": code, "confidence": value}
                for code, value in detail.language.candidates
            ],
        },
        "skill": {
            "skill": opened.skill,
            "score": detail.skill.score,
            "evidence": opened.skill_evidence,
            "alternatives": [a.model_dump(mode="json") for a in opened.skill_alternatives],
        },
        "needs": opened.needs,
        "priority": {"priority": opened.priority.value, "reasons": opened.priority_reasons},
        "customer_tier": opened.customer.tier.value,
    }
