"""A partner ticket's changelog record as the API's mirror keeps it: deflated with a
preset dictionary.

Every API instance keeps weeks of every partner's tickets. A record is a few hundred
bytes of JSON, mostly the same field names, enum values and time stamp prefixes in
every record; zlib with a preset dictionary (``zdict``) of exactly those makes each
record about a quarter of its size (bench/README.md, ``bench/partner_api.py``). The
form is private to the process: the mirror builds it from the changelog when it
reads it, so the dictionary may change from one release to the next.
"""

from __future__ import annotations

import uuid
import zlib
from datetime import UTC, datetime
from functools import cache

from schemas.base import Channel, Priority, SlaMetric
from schemas.partner_api import Action, AssignmentStatus
from services.router.partner_api.codec import decode_ticket, encode_ticket
from services.router.partner_api.domain.view import (
    ActionRecord,
    AssignmentRecord,
    BreachRecord,
    PartnerTicket,
    TicketFacts,
)

_LEVEL = 6
_RAW = -15  # deflate without zlib's header and checksum: 6 bytes a record


@cache
def _dictionary() -> bytes:
    """A typical record, encoded as the changelog encodes it: its field names and
    values are what the records share. Built from the models, so it follows them."""
    at = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    actions = tuple(
        ActionRecord(
            event_id=uuid.UUID(int=n),
            action=action,
            fingerprint="0" * 32,
            applied=True,
            at=at,
            key_id="key",
        )
        for n, action in enumerate((Action.ACCEPT, Action.RESPOND, Action.RESOLVE))
    )
    record = PartnerTicket(
        ticket_id="ticket",
        correlation_id="correlation",
        facts=TicketFacts(
            channel=Channel.EMAIL,
            language="en",
            skill="orders_shipping",
            priority=Priority.NORMAL,
            received_at=at,
        ),
        assignments=(
            AssignmentRecord(
                assignment_id=uuid.UUID(int=0),
                team_id="team",
                attempt=1,
                status=AssignmentStatus.RESOLVED,
                offered_at=at,
                offer_expires_at=at,
                respond_by=at,
                accepted_at=at,
                first_response_at=at,
                resolved_at=at,
                ended_at=at,
                end_reason="reason",
                awaiting_customer=True,
                actions=actions,
            ),
        ),
        breaches=(
            BreachRecord(
                event_id=uuid.UUID(int=0),
                team_id="team",
                metric=SlaMetric.FIRST_RESPONSE,
                deadline=at,
                at=at,
            ),
        ),
        resolved_at=at,
        touched_at=at,
    )
    # zlib prefers the most common strings at the end of the dictionary.
    return encode_ticket(record)


def pack(data: bytes) -> bytes:
    """A changelog record (``codec`` format) as the mirror keeps it."""
    deflate = zlib.compressobj(_LEVEL, zlib.DEFLATED, _RAW, zdict=_dictionary())
    return deflate.compress(data) + deflate.flush()


def unpack(packed: bytes) -> bytes:
    inflate = zlib.decompressobj(_RAW, zdict=_dictionary())
    return inflate.decompress(packed) + inflate.flush()


def unpack_ticket(packed: bytes) -> PartnerTicket:
    return decode_ticket(unpack(packed))


__all__ = ["pack", "unpack", "unpack_ticket"]
