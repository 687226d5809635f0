"""Changelog formats of the partner view, versioned by their first byte.

``P`` + JSON: a ticket offered to a partner (served). ``F`` + JSON: a ticket kept only
in case a partner is offered it later (facts only); API instances mirroring the
changelog skip these on the first byte, without parsing them.
"""

from __future__ import annotations

from services.router.partner_api.domain.capacity import CapacityRecord
from services.router.partner_api.domain.view import PartnerTicket, without_personal_data

PARTNERED = b"P"
FACTS_ONLY = b"F"


def encode_ticket(record: PartnerTicket) -> bytes:
    marker = PARTNERED if record.partnered else FACTS_ONLY
    return marker + record.model_dump_json(exclude_defaults=True).encode()


def decode_ticket(data: bytes) -> PartnerTicket:
    if data[:1] not in (PARTNERED, FACTS_ONLY):
        raise ValueError(f"unknown partner view record format {data[:1]!r}")
    return PartnerTicket.model_validate_json(data[1:])


def checked_record(data: bytes) -> bytes:
    """A record as the view's store keeps it: as it is, once its format is one this
    release reads (a restore stops at one it does not)."""
    if data[:1] not in (PARTNERED, FACTS_ONLY):
        raise ValueError(f"unknown partner view record format {data[:1]!r}")
    return data


def served(data: bytes) -> bytes | None:
    """For the API's mirror (``GlobalTable`` decode): partner records as they are, None for
    facts-only ones, recognised on the first byte; the index decodes what it keeps."""
    if data[:1] == FACTS_ONLY:
        return None
    if data[:1] != PARTNERED:
        raise ValueError(f"unknown partner view record format {data[:1]!r}")
    return data


def decode_served(data: bytes) -> PartnerTicket | None:
    """A served record decoded, without the customer's data once no assignment is live
    (it is never served afterwards)."""
    if served(data) is None:
        return None
    record = decode_ticket(data)
    if any(assignment.live for assignment in record.assignments):
        return record
    return without_personal_data(record)


def encode_capacity(record: CapacityRecord) -> bytes:
    return record.model_dump_json().encode()


def decode_capacity(data: bytes) -> CapacityRecord:
    return CapacityRecord.model_validate_json(data)
