"""A ticket's routing state as compact bytes: the value the router keeps in its store and
writes to its changelog as is (format 2; format 1 was JSON, see ``services.router.changelog``).

A million open tickets must fit in a few hundred megabytes, and Python objects are big
(the pydantic ``TicketRoute`` of format 1 cost ~2.5 KB decoded). One ``bytes`` object
per ticket is decoded (``unpack``) only when an event or the timer touches the ticket;
the indexes read what they need from fixed offsets (``scan``, ``slot_team``,
``profile_bytes``) without decoding, which keeps rebuilding them after a restore fast.

Layout, little endian:

* header (76 bytes): format (2), status, flags, presence of the optional instants,
  priority (u8 each), partition, attempt, length of the profile section (u16 each),
  then eight instants in microseconds since the epoch (i64): received,
  first response due, reply deadline, assigned, offer expires, pending since, resolved,
  held since (0 where absent, see the presence bits); then more flags (u8: rated,
  answered);
* team id (string);
* profile section (what decides which teams could ever take the ticket, byte for byte
  the same for tickets of the same profile and declined teams): channel, tier (u8
  each), language, skill (strings), marketplace, needs and declined teams (a u8 count,
  then strings; no marketplace is a count of 0);
* correlation id: 16 raw bytes when it is a canonical UUID (flag), else a string;
* for the in-house agents' queue: subject, text, customer name (strings);
* the agent holding the ticket (string, empty when nobody does: ``Hold``).

Strings are UTF-8 with a one-byte length; 255 means a four-byte length follows. The
assignment id is not stored, only whether there is one: it is derived from the ticket
id and the attempt (``assignment_id``), as ``lifecycle.assign`` makes it.
"""

from __future__ import annotations

import struct
import uuid
from datetime import UTC, datetime, timedelta
from typing import Final

from schemas.base import (
    CHANNEL_CODES,
    KIND_CODES,
    PRIORITY_CODES,
    TIER_CODES,
    Channel,
    CustomerTier,
    TeamKind,
    canonical_uuid_bytes,
)
from services.router.domain.state import Hold, Status, TicketFacts, TicketRoute, assignment_id

FORMAT: Final = 2

_HEADER = struct.Struct("<BBBBBHHH8qB")
HEADER_SIZE: Final = _HEADER.size
_LONG = struct.Struct("<I")
_U8 = 0xFF
_U16 = 0xFFFF

# Explicit codes: the bytes outlive any reordering of the enums.
STATUS_CODES: dict[Status, int] = {
    "pending": 0,
    "queued": 1,
    "offered": 2,
    "accepted": 3,
    "resolved": 4,
}

_STATUSES: dict[int, Status] = {code: status for status, code in STATUS_CODES.items()}
_CHANNELS = {code: value for value, code in CHANNEL_CODES.items()}
_PRIORITIES = {code: value for value, code in PRIORITY_CODES.items()}
_TIERS = {code: value for value, code in TIER_CODES.items()}
_KINDS = {code: value for value, code in KIND_CODES.items()}
#: Priority code -> backlog rank (higher is more urgent), for ``scan``.
_RANKS = {code: priority.rank for priority, code in PRIORITY_CODES.items()}

# Offsets of header fields read without unpacking the whole header.
_STATUS_AT, _FLAGS_AT, _PRIORITY_AT, _PARTITION_AT, _PROFILE_LEN_AT = 1, 2, 4, 5, 9
_INSTANTS_AT = 11
_RECEIVED_AT, _OFFER_EXPIRES_AT, _RESOLVED_AT = _INSTANTS_AT, _INSTANTS_AT + 32, _INSTANTS_AT + 48
_HELD_AT, _PRESENCE_AT = _INSTANTS_AT + 56, 3
_I64 = struct.Struct("<q")
_U16_AT = struct.Struct("<H")

# flags
_STALL_ANNOUNCED, _UUID_CORRELATION, _HAS_SUBJECT, _HAS_CUSTOMER_NAME = 1, 2, 4, 8
_HAS_ASSIGNMENT = 16
_KIND_SHIFT = 5  # two bits: KIND_CODES
# presence of the optional instants
_REPLY_DEADLINE, _ASSIGNED, _OFFER_EXPIRES, _PENDING_SINCE, _RESOLVED, _HELD = 1, 2, 4, 8, 16, 32
# more flags (the header's last byte)
_RATED, _ANSWERED = 1, 2

EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

#: Status codes of the statuses that hold a team's slot.
SLOT_CODES: frozenset[int] = frozenset(STATUS_CODES[s] for s in ("queued", "offered", "accepted"))
PENDING: Final = STATUS_CODES["pending"]
QUEUED: Final = STATUS_CODES["queued"]
OFFERED: Final = STATUS_CODES["offered"]
RESOLVED: Final = STATUS_CODES["resolved"]


class PackedRouteError(ValueError):
    """Bytes that are not a ticket record this version can read."""


def micros(moment: datetime) -> int:
    """Microseconds since the epoch: exact for any aware datetime."""
    return (moment - EPOCH) // _MICROSECOND


def instant(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def _text(text: str) -> bytes:
    raw = text.encode()
    if len(raw) < _U8:
        return bytes((len(raw),)) + raw
    return b"\xff" + _LONG.pack(len(raw)) + raw


def _texts(texts: tuple[str, ...]) -> bytes:
    if len(texts) >= _U8:
        raise PackedRouteError(f"{len(texts)} entries do not fit a one-byte count")
    return bytes((len(texts),)) + b"".join(_text(text) for text in texts)


def pack(route: TicketRoute) -> bytes:
    facts = route.facts
    correlation = canonical_uuid_bytes(facts.correlation_id)
    flags = (
        (_STALL_ANNOUNCED if route.stall_announced else 0)
        | (_UUID_CORRELATION if correlation else 0)
        | (_HAS_SUBJECT if facts.subject is not None else 0)
        | (_HAS_CUSTOMER_NAME if facts.customer_name is not None else 0)
        | (_HAS_ASSIGNMENT if route.assignment_id is not None else 0)
        | KIND_CODES[route.team_kind] << _KIND_SHIFT
    )
    presence = 0
    instants = [micros(facts.received_at), micros(facts.first_response_due)]
    for bit, moment in (
        (_REPLY_DEADLINE, facts.reply_deadline),
        (_ASSIGNED, route.assigned_at),
        (_OFFER_EXPIRES, route.offer_expires_at),
        (_PENDING_SINCE, route.pending_since),
        (_RESOLVED, route.resolved_at),
        (_HELD, None if route.hold is None else route.hold.since),
    ):
        if moment is None:
            instants.append(0)
        else:
            presence |= bit
            instants.append(micros(moment))
    profile = b"".join(
        (
            bytes((CHANNEL_CODES[facts.channel], TIER_CODES[facts.tier])),
            _text(facts.language),
            _text(facts.skill),
            _texts(() if facts.marketplace is None else (facts.marketplace,)),
            _texts(facts.needs),
            _texts(route.declined),
        )
    )
    if route.attempt > _U16 or route.partition > _U16 or len(profile) > _U16:
        raise PackedRouteError("attempt, partition or profile beyond 65,535")
    header = _HEADER.pack(
        FORMAT,
        STATUS_CODES[route.status],
        flags,
        presence,
        PRIORITY_CODES[facts.priority],
        route.partition,
        route.attempt,
        len(profile),
        *instants,
        (_RATED if route.rated else 0) | (_ANSWERED if route.answered else 0),
    )
    return b"".join(
        (
            header,
            _text(route.team_id or ""),
            profile,
            correlation or _text(facts.correlation_id),
            _text(facts.subject or ""),
            _text(facts.text),
            _text(facts.customer_name or ""),
            _text("" if route.hold is None else route.hold.agent_id),
        )
    )


def unpack(ticket_id: str, data: bytes) -> TicketRoute:
    try:
        return _unpack(ticket_id, data)
    except (struct.error, KeyError, IndexError, ValueError) as exc:
        raise PackedRouteError(f"not a ticket record of format {FORMAT}: {exc!r}") from None


def _read(data: bytes, offset: int) -> tuple[str, int]:
    length = data[offset]
    start = offset + 1
    if length == _U8:
        (length,) = _LONG.unpack_from(data, start)
        start += _LONG.size
    end = start + length
    if end > len(data):
        raise PackedRouteError("a string runs past the end")
    return data[start:end].decode(), end


def _read_many(data: bytes, offset: int) -> tuple[tuple[str, ...], int]:
    count = data[offset]
    offset += 1
    texts = []
    for _ in range(count):
        text, offset = _read(data, offset)
        texts.append(text)
    return tuple(texts), offset


def _unpack(ticket_id: str, data: bytes) -> TicketRoute:
    (
        version,
        status,
        flags,
        presence,
        priority,
        partition,
        attempt,
        profile_length,
        received,
        due,
        reply_deadline,
        assigned,
        offer_expires,
        pending_since,
        resolved,
        held_since,
        more_flags,
    ) = _HEADER.unpack_from(data)
    if version != FORMAT:
        raise PackedRouteError(f"format {version} is not {FORMAT}")
    team_id, offset = _read(data, HEADER_SIZE)
    profile_end = offset + profile_length
    channel, tier = data[offset], data[offset + 1]
    language, offset = _read(data, offset + 2)
    skill, offset = _read(data, offset)
    marketplace, offset = _read_many(data, offset)
    needs, offset = _read_many(data, offset)
    declined, offset = _read_many(data, offset)
    if offset != profile_end:
        raise PackedRouteError("the profile section's length does not match")
    if flags & _UUID_CORRELATION:
        correlation_id = str(uuid.UUID(bytes=data[offset : offset + 16]))
        offset += 16
    else:
        correlation_id, offset = _read(data, offset)
    subject, offset = _read(data, offset)
    text, offset = _read(data, offset)
    customer_name, offset = _read(data, offset)
    agent_id, offset = _read(data, offset)
    if offset != len(data):
        raise PackedRouteError(f"{len(data) - offset} bytes left over")
    facts = TicketFacts(
        correlation_id=correlation_id,
        channel=_CHANNELS[channel],
        language=language,
        skill=skill,
        received_at=instant(received),
        first_response_due=instant(due),
        needs=needs,
        priority=_PRIORITIES[priority],
        tier=_TIERS[tier],
        marketplace=marketplace[0] if marketplace else None,
        reply_deadline=instant(reply_deadline) if presence & _REPLY_DEADLINE else None,
        subject=subject if flags & _HAS_SUBJECT else None,
        text=text,
        customer_name=customer_name if flags & _HAS_CUSTOMER_NAME else None,
    )
    return TicketRoute(
        partition=partition,
        facts=facts,
        status=_STATUSES[status],
        attempt=attempt,
        assignment_id=assignment_id(ticket_id, attempt) if flags & _HAS_ASSIGNMENT else None,
        team_id=team_id or None,
        team_kind=_KINDS[flags >> _KIND_SHIFT & 3],
        assigned_at=instant(assigned) if presence & _ASSIGNED else None,
        offer_expires_at=instant(offer_expires) if presence & _OFFER_EXPIRES else None,
        declined=declined,
        stall_announced=bool(flags & _STALL_ANNOUNCED),
        pending_since=instant(pending_since) if presence & _PENDING_SINCE else None,
        resolved_at=instant(resolved) if presence & _RESOLVED else None,
        rated=bool(more_flags & _RATED),
        hold=Hold(agent_id, instant(held_since)) if presence & _HELD else None,
        answered=bool(more_flags & _ANSWERED),
    )


# -- reading without decoding (the indexes and the load view) ---------------------------
def is_packed(data: bytes) -> bool:
    return len(data) > HEADER_SIZE and data[0] == FORMAT


def status_code(data: bytes) -> int:
    return data[_STATUS_AT]


def stall_announced(data: bytes) -> bool:
    return bool(data[_FLAGS_AT] & _STALL_ANNOUNCED)


def partition_of(data: bytes) -> int:
    partition: int = _U16_AT.unpack_from(data, _PARTITION_AT)[0]
    return partition


def attempt_of(data: bytes) -> int:
    attempt: int = _U16_AT.unpack_from(data, _PARTITION_AT + 2)[0]
    return attempt


_MIRROR_FIELDS = struct.Struct("<xB3xHH")


def mirror_fields(data: bytes) -> tuple[int, int, int]:
    """Status code, partition and attempt, in one read."""
    fields: tuple[int, int, int] = _MIRROR_FIELDS.unpack_from(data)
    return fields


def hold_of(data: bytes) -> Hold | None:
    """The agent holding the ticket, read past the variable part without decoding it."""
    if not data[_PRESENCE_AT] & _HELD:
        return None
    offset = HEADER_SIZE + 1 + data[HEADER_SIZE]  # past the team id
    offset += _U16_AT.unpack_from(data, _PROFILE_LEN_AT)[0]
    if data[_FLAGS_AT] & _UUID_CORRELATION:
        offset += 16
    else:
        offset = _read(data, offset)[1]
    for _ in range(3):  # subject, text, customer name
        offset = _read(data, offset)[1]
    agent_id = _read(data, offset)[0]
    return Hold(agent_id, instant(_I64.unpack_from(data, _HELD_AT)[0]))


def team_bytes(data: bytes) -> bytes:
    """The team id's UTF-8 (empty when the record has none)."""
    return data[HEADER_SIZE + 1 : HEADER_SIZE + 1 + data[HEADER_SIZE]]


def team_of(data: bytes) -> str | None:
    """The team id (None when the record has none)."""
    length = data[HEADER_SIZE]
    if not length:
        return None
    return data[HEADER_SIZE + 1 : HEADER_SIZE + 1 + length].decode()


def backlog_order(data: bytes) -> tuple[int, int]:
    """Most urgent first, then oldest: (-priority rank, received at in microseconds)."""
    received: int = _I64.unpack_from(data, _RECEIVED_AT)[0]
    return -_RANKS[data[_PRIORITY_AT]], received


_DUE_AT = _INSTANTS_AT + 8
_IN_HOUSE_KIND = KIND_CODES[TeamKind.IN_HOUSE]


def queue_fields(data: bytes) -> tuple[bool, bool, int, int, int] | None:
    """For the agents' claims, of a ticket queued in an in-house team (else None): held,
    answered, priority rank, first-response deadline and received at (microseconds)."""
    if data[_STATUS_AT] != QUEUED or (data[_FLAGS_AT] >> _KIND_SHIFT) & 3 != _IN_HOUSE_KIND:
        return None
    received: int = _I64.unpack_from(data, _RECEIVED_AT)[0]
    due: int = _I64.unpack_from(data, _DUE_AT)[0]
    return (
        bool(data[_PRESENCE_AT] & _HELD),
        bool(data[HEADER_SIZE - 1] & _ANSWERED),
        _RANKS[data[_PRIORITY_AT]],
        due,
        received,
    )


def offer_expiry(data: bytes) -> int:
    expires: int = _I64.unpack_from(data, _OFFER_EXPIRES_AT)[0]
    return expires


def resolved_micros(data: bytes) -> int:
    resolved: int = _I64.unpack_from(data, _RESOLVED_AT)[0]
    return resolved


def profile_bytes(data: bytes) -> bytes:
    """The profile section: equal for tickets of the same profile and declined teams."""
    start = HEADER_SIZE + 1 + data[HEADER_SIZE]
    (length,) = _U16_AT.unpack_from(data, _PROFILE_LEN_AT)
    return data[start : start + length]


def unpack_profile(
    section: bytes,
) -> tuple[Channel, CustomerTier, str, str, str | None, tuple[str, ...], tuple[str, ...]]:
    """Channel, tier, language, skill, marketplace, needs and declined teams."""
    language, offset = _read(section, 2)
    skill, offset = _read(section, offset)
    marketplace, offset = _read_many(section, offset)
    needs, offset = _read_many(section, offset)
    declined, offset = _read_many(section, offset)
    return (
        _CHANNELS[section[0]],
        _TIERS[section[1]],
        language,
        skill,
        marketplace[0] if marketplace else None,
        needs,
        declined,
    )
