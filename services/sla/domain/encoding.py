"""A ticket's clocks as compact bytes: the value kept in the hot store and written to the
changelog as is.

A million open tickets must fit in a few hundred megabytes, and Python objects are big:
a slots dataclass with a dozen int fields costs ~400 bytes with its ints, a pydantic
model more. One ``bytes`` object per ticket (~220 bytes) is decoded only when an event
or a deadline touches the ticket. Fixed-size parts come first, so the next due instant
is read without decoding the strings (``next_due_ms``), which keeps rebuilding the
deadline index after a restore fast.

Layout (little endian): header, then one 36-byte block per started clock (bit mask in
the header; first response, next response, resolution), then length-prefixed UTF-8
strings: correlation id, skill, marketplace, team id, cycle, and a table of the policy
and calendar ids the clocks refer to by index.
"""

from __future__ import annotations

import struct

from schemas.base import Channel, CustomerTier, Priority, SlaMetric, TeamKind
from services.sla.domain.clocks import IDLE, MetricClock, Phase, TicketClocks

VERSION = 1

_HEADER = struct.Struct("<BBBBBBBxqI")  # version channel priority tier kind flags mask
_CLOCK = struct.Struct("<BBBBIIqqq")  # phase flags policy calendar budget used started due risk
_LENGTH = struct.Struct("<H")
_U32 = 0xFFFFFFFF
_MASK = 6  # offset of the clock bit mask in the header

# Explicit codes: the bytes outlive any reordering of the enums.
CHANNEL_CODES = {
    Channel.EMAIL: 1,
    Channel.CHAT: 2,
    Channel.PHONE: 3,
    Channel.SOCIAL: 4,
    Channel.MARKETPLACE: 5,
}
PRIORITY_CODES = {Priority.LOW: 1, Priority.NORMAL: 2, Priority.HIGH: 3, Priority.URGENT: 4}
TIER_CODES = {CustomerTier.STANDARD: 1, CustomerTier.LOYAL: 2, CustomerTier.VIP: 3}
KIND_CODES = {None: 0, TeamKind.IN_HOUSE: 1, TeamKind.PARTNER: 2}
METRICS = (SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE, SlaMetric.RESOLUTION)

_CHANNELS = {code: value for value, code in CHANNEL_CODES.items()}
_PRIORITIES = {code: value for value, code in PRIORITY_CODES.items()}
_TIERS = {code: value for value, code in TIER_CODES.items()}
_KINDS = {code: value for value, code in KIND_CODES.items()}

_IN_QUEUE = 1
_WARNED, _BREACHED, _FIXED = 1, 2, 4


class ClockRecordError(ValueError):
    """Bytes that are not a clock record this version can read."""


def encode(clocks: TicketClocks) -> bytes:
    table: list[str] = []

    def index(text: str) -> int:
        if text not in table:
            table.append(text)
        return table.index(text)

    mask = 0
    blocks: list[bytes] = []
    for bit, metric in enumerate(METRICS):
        clock = clocks.clock(metric)
        if clock.phase is Phase.IDLE:
            continue
        mask |= 1 << bit
        flags = (
            (_WARNED if clock.warned else 0)
            | (_BREACHED if clock.breached else 0)
            | (_FIXED if clock.fixed_deadline else 0)
        )
        blocks.append(
            _CLOCK.pack(
                clock.phase,
                flags,
                index(clock.policy_id),
                index(clock.calendar_id),
                min(clock.budget_ms, _U32),
                min(clock.used_ms, _U32),
                clock.started_ms,
                clock.deadline_ms,
                clock.at_risk_ms,
            )
        )
    header = _HEADER.pack(
        VERSION,
        CHANNEL_CODES[clocks.channel],
        PRIORITY_CODES[clocks.priority],
        TIER_CODES[clocks.tier],
        KIND_CODES[clocks.team_kind],
        _IN_QUEUE if clocks.in_queue else 0,
        mask,
        clocks.opened_ms,
        clocks.round,
    )
    texts = [
        clocks.correlation_id,
        clocks.skill,
        clocks.marketplace or "",
        clocks.team_id or "",
        clocks.cycle,
    ]
    parts = [header, *blocks, *(_text(text) for text in texts), bytes((len(table),))]
    parts += [_text(text) for text in table]
    return b"".join(parts)


def _text(text: str) -> bytes:
    raw = text.encode()
    return _LENGTH.pack(len(raw)) + raw


def decode(ticket_id: str, data: bytes) -> TicketClocks:
    try:
        return _decode(ticket_id, data)
    except (struct.error, KeyError, IndexError, UnicodeDecodeError) as exc:
        raise ClockRecordError(f"not a clock record: {exc}") from None


def _decode(ticket_id: str, data: bytes) -> TicketClocks:
    version, channel, priority, tier, kind, flags, mask, opened, round_ = _HEADER.unpack_from(data)
    if version != VERSION:
        raise ClockRecordError(f"clock record version {version} is not {VERSION}")
    offset = _HEADER.size
    raw_clocks: list[tuple[int, ...] | None] = []
    for bit in range(len(METRICS)):
        if mask & (1 << bit):
            raw_clocks.append(_CLOCK.unpack_from(data, offset))
            offset += _CLOCK.size
        else:
            raw_clocks.append(None)
    texts: list[str] = []
    for _ in range(5):
        text, offset = _read_text(data, offset)
        texts.append(text)
    table: list[str] = []
    count = data[offset]
    offset += 1
    for _ in range(count):
        text, offset = _read_text(data, offset)
        table.append(text)
    correlation_id, skill, marketplace, team_id, cycle = texts
    clocks = [IDLE if raw is None else _clock(raw, table) for raw in raw_clocks]
    return TicketClocks(
        ticket_id=ticket_id,
        correlation_id=correlation_id,
        channel=_CHANNELS[channel],
        priority=_PRIORITIES[priority],
        tier=_TIERS[tier],
        marketplace=marketplace or None,
        skill=skill,
        opened_ms=opened,
        cycle=cycle,
        round=round_,
        team_id=team_id or None,
        team_kind=_KINDS[kind],
        in_queue=bool(flags & _IN_QUEUE),
        first_response=clocks[0],
        next_response=clocks[1],
        resolution=clocks[2],
    )


def _read_text(data: bytes, offset: int) -> tuple[str, int]:
    (length,) = _LENGTH.unpack_from(data, offset)
    start = offset + _LENGTH.size
    return data[start : start + length].decode(), start + length


def _clock(raw: tuple[int, ...], table: list[str]) -> MetricClock:
    phase, flags, policy, calendar, budget, used, started, deadline, at_risk = raw
    return MetricClock(
        phase=Phase(phase),
        policy_id=table[policy],
        calendar_id=table[calendar],
        budget_ms=budget,
        used_ms=used,
        started_ms=started,
        deadline_ms=deadline,
        at_risk_ms=at_risk,
        warned=bool(flags & _WARNED),
        breached=bool(flags & _BREACHED),
        fixed_deadline=bool(flags & _FIXED),
    )


def is_clock_record(data: bytes) -> bool:
    return bool(data) and data[0] == VERSION


def next_due_ms(data: bytes) -> int | None:
    """The next instant something falls due for these clocks, read from the fixed part."""
    mask = data[_MASK]
    offset = _HEADER.size
    due: int | None = None
    for bit in range(len(METRICS)):
        if not mask & (1 << bit):
            continue
        phase, flags, _, _, _, _, _, deadline, at_risk = _CLOCK.unpack_from(data, offset)
        offset += _CLOCK.size
        if phase != Phase.RUNNING or flags & _BREACHED:
            continue
        candidate = min(at_risk, deadline) if at_risk and not flags & _WARNED else deadline
        if due is None or candidate < due:
            due = candidate
    return due


def at_risk_open(data: bytes) -> tuple[SlaMetric, ...]:
    """Metrics past the at-risk share and not breached, read from the fixed part."""
    mask = data[_MASK]
    offset = _HEADER.size
    found: list[SlaMetric] = []
    for bit, metric in enumerate(METRICS):
        if not mask & (1 << bit):
            continue
        phase, flags, *_ = _CLOCK.unpack_from(data, offset)
        offset += _CLOCK.size
        if phase in (Phase.RUNNING, Phase.PAUSED) and flags & _WARNED and not flags & _BREACHED:
            found.append(metric)
    return tuple(found)
