"""One validation for inbound payloads, whether they arrive over Kafka or HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from pydantic import ValidationError

from schemas.base import Channel
from schemas.inbound import PAYLOAD_BY_CHANNEL, InboundPayload
from schemas.ingest import NormalisedMessage
from services.ingest.domain.control import clean_message
from services.ingest.domain.normalise import MissingCustomerIdentityError, normalise

#: Every ``kind`` an inbound message can be refused with.
REJECTION_KINDS = (
    "empty",
    "oversize",
    "undecodable_bytes",
    "invalid_json",
    "schema_violation",
    "missing_customer_identity",
)


class InvalidPayloadError(ValueError):
    """Why a payload was refused: ``kind`` for machines, the message for developers."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors(include_url=False, include_input=False)[:10]:
        where = ".".join(str(part) for part in item["loc"]) or "(body)"
        problems.append(f"{where}: {item['msg']}")
    return "; ".join(problems)


def parse_payload(channel: Channel, raw: bytes | None, max_bytes: int) -> InboundPayload:
    if not raw:
        raise InvalidPayloadError("empty", "the message body is empty")
    if len(raw) > max_bytes:
        raise InvalidPayloadError(
            "oversize", f"the message is {len(raw)} bytes; the limit is {max_bytes}"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidPayloadError("undecodable_bytes", f"not UTF-8: {exc}") from None
    model = PAYLOAD_BY_CHANNEL[channel]
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        if any(item["type"] == "json_invalid" for item in exc.errors()):
            raise InvalidPayloadError("invalid_json", f"not valid JSON: {describe(exc)}") from None
        raise InvalidPayloadError(
            "schema_violation", f"not a valid {channel.value} payload: {describe(exc)}"
        ) from None


class Accepted(NamedTuple):
    message: NormalisedMessage
    #: Control characters removed from its free text (``domain/control.py``).
    controls_removed: int


def admit(
    channel: Channel,
    raw: bytes | None,
    max_bytes: int,
    source_topic: str,
    languages: Sequence[str],
) -> Accepted:
    """Validate and normalise one inbound message: the one check both intakes share.

    The free text comes out without control characters; how many were removed is
    counted by the normalise stage (the HTTP intake stores the body as sent, and the
    stage cleans it again: one count per message).
    """
    payload = parse_payload(channel, raw, max_bytes)
    try:
        message = normalise(payload, source_topic, languages)
    except MissingCustomerIdentityError as exc:
        raise InvalidPayloadError("missing_customer_identity", str(exc)) from None
    return Accepted(*clean_message(message))


def accept(
    channel: Channel,
    raw: bytes | None,
    max_bytes: int,
    source_topic: str,
    languages: Sequence[str],
) -> NormalisedMessage:
    """``admit``'s message alone."""
    return admit(channel, raw, max_bytes, source_topic, languages).message
