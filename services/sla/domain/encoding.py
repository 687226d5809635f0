"""A ticket's clocks as compact bytes: the value kept in the hot store and written to the
changelog as is.

A million open tickets must fit in a few hundred megabytes, and Python objects are big:
a slots dataclass with a dozen int fields costs ~400 bytes with its ints, a pydantic
model more. One ``bytes`` object per ticket (~130 bytes of data) is decoded only when
an event or a deadline touches the ticket. Fixed-size parts come first, so the next due
instant is read without decoding the strings (``scan``), which keeps rebuilding the
deadline index after a restore fast.

Layout (little endian): a 9-byte header, one 30-byte block per started clock (bit mask
in the header; first response, next response, resolution), then UTF-8 strings with a
one-byte length (255: a two-byte length follows): correlation id (16 raw bytes instead
when it is a UUID), skill, marketplace, team id, cycle, and a table of the policy and
calendar ids the clocks refer to by index.
"""

from __future__ import annotations

import struct
import uuid

from schemas.base import (
    CHANNEL_CODES,
    KIND_CODES,
    PRIORITY_CODES,
    TIER_CODES,
    SlaMetric,
    canonical_uuid_bytes,
)
from services.sla.domain.clocks import IDLE, MetricClock, Phase, TicketClocks

VERSION = 1

_HEADER = struct.Struct("<BBBBBBBH")  # version channel priority tier kind flags mask round
_CLOCK = struct.Struct("<BBIIIqq")  # phase|flags, policy|calendar, budget used risk-lead start due
_LONG_TEXT = struct.Struct("<H")
_U16 = 0xFFFF
_U32 = 0xFFFFFFFF
_NO_WARNING = _U32  # at-risk lead meaning "no warning to come"
_MASK = 6  # offset of the clock bit mask in the header

METRICS = (SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE, SlaMetric.RESOLUTION)

_CHANNELS = {code: value for value, code in CHANNEL_CODES.items()}
_PRIORITIES = {code: value for value, code in PRIORITY_CODES.items()}
_TIERS = {code: value for value, code in TIER_CODES.items()}
_KINDS = {code: value for value, code in KIND_CODES.items()}

_IN_QUEUE, _UUID_CORRELATION = 1, 2
_PHASE = 3
_WARNED, _BREACHED, _FIXED = 4, 8, 16  # above the phase's two bits


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
        state = (
            clock.phase
            | (_WARNED if clock.warned else 0)
            | (_BREACHED if clock.breached else 0)
            | (_FIXED if clock.fixed_deadline else 0)
        )
        lead = clock.deadline_ms - clock.at_risk_ms if clock.at_risk_ms else _NO_WARNING
        blocks.append(
            _CLOCK.pack(
                state,
                index(clock.policy_id) << 4 | index(clock.calendar_id),
                min(clock.budget_ms, _U32),
                min(clock.used_ms, _U32),
                min(max(lead, 0), _NO_WARNING - 1) if clock.at_risk_ms else _NO_WARNING,
                clock.started_ms,
                clock.deadline_ms,
            )
        )
    correlation = canonical_uuid_bytes(clocks.correlation_id)
    flags = (_IN_QUEUE if clocks.in_queue else 0) | (_UUID_CORRELATION if correlation else 0)
    header = _HEADER.pack(
        VERSION,
        CHANNEL_CODES[clocks.channel],
        PRIORITY_CODES[clocks.priority],
        TIER_CODES[clocks.tier],
        KIND_CODES[clocks.team_kind],
        flags,
        mask,
        min(clocks.round, _U16),
    )
    texts = [clocks.skill, clocks.marketplace or "", clocks.team_id or "", clocks.cycle]
    parts = [header, *blocks, correlation or _text(clocks.correlation_id)]
    parts += [_text(text) for text in texts]
    parts.append(bytes((len(table),)))
    parts += [_text(text) for text in table]
    return b"".join(parts)


def _text(text: str) -> bytes:
    raw = text.encode()
    if len(raw) < 255:
        return bytes((len(raw),)) + raw
    return b"\xff" + _LONG_TEXT.pack(len(raw)) + raw


def decode(ticket_id: str, data: bytes) -> TicketClocks:
    try:
        return _decode(ticket_id, data)
    except (struct.error, KeyError, IndexError, ValueError) as exc:
        raise ClockRecordError(f"not a clock record: {exc}") from None


def _decode(ticket_id: str, data: bytes) -> TicketClocks:
    version, channel, priority, tier, kind, flags, mask, round_ = _HEADER.unpack_from(data)
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
    if flags & _UUID_CORRELATION:
        correlation_id = str(uuid.UUID(bytes=data[offset : offset + 16]))
        offset += 16
    else:
        correlation_id, offset = _read_text(data, offset)
    texts: list[str] = []
    for _ in range(4):
        text, offset = _read_text(data, offset)
        texts.append(text)
    table: list[str] = []
    count = data[offset]
    offset += 1
    for _ in range(count):
        text, offset = _read_text(data, offset)
        table.append(text)
    if offset != len(data):
        raise ClockRecordError(f"{len(data) - offset} bytes left over")
    skill, marketplace, team_id, cycle = texts
    clocks = [IDLE if raw is None else _clock(raw, table) for raw in raw_clocks]
    return TicketClocks(
        ticket_id=ticket_id,
        correlation_id=correlation_id,
        channel=_CHANNELS[channel],
        priority=_PRIORITIES[priority],
        tier=_TIERS[tier],
        marketplace=marketplace or None,
        skill=skill,
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
    length = data[offset]
    start = offset + 1
    if length == 255:
        (length,) = _LONG_TEXT.unpack_from(data, start)
        start += _LONG_TEXT.size
    if start + length > len(data):
        raise ClockRecordError("a string runs past the end")
    return data[start : start + length].decode(), start + length


def _clock(raw: tuple[int, ...], table: list[str]) -> MetricClock:
    flags, ids, budget, used, lead, started, deadline = raw
    return MetricClock(
        phase=Phase(flags & _PHASE),
        policy_id=table[ids >> 4],
        calendar_id=table[ids & 0x0F],
        budget_ms=budget,
        used_ms=used,
        started_ms=started,
        deadline_ms=deadline,
        at_risk_ms=0 if lead == _NO_WARNING else deadline - lead,
        warned=bool(flags & _WARNED),
        breached=bool(flags & _BREACHED),
        fixed_deadline=bool(flags & _FIXED),
    )


def is_clock_record(data: bytes) -> bool:
    return bool(data) and data[0] == VERSION


def scan(data: bytes) -> tuple[int | None, tuple[SlaMetric, ...]]:
    """From the fixed part alone: the next instant something falls due, and the metrics
    past the at-risk share and not breached."""
    mask = data[_MASK]
    offset = _HEADER.size
    due: int | None = None
    at_risk: tuple[SlaMetric, ...] = ()
    for bit, metric in enumerate(METRICS):
        if not mask & (1 << bit):
            continue
        flags, _, _, _, lead, _, deadline = _CLOCK.unpack_from(data, offset)
        offset += _CLOCK.size
        phase = flags & _PHASE
        if phase == Phase.PAUSED and flags & _WARNED and not flags & _BREACHED:
            at_risk += (metric,)
        if phase != Phase.RUNNING or flags & _BREACHED:
            continue
        if flags & _WARNED:
            at_risk += (metric,)
            candidate = deadline
        elif lead != _NO_WARNING:
            candidate = deadline - lead
        else:
            candidate = deadline
        if due is None or candidate < due:
            due = candidate
    return due, at_risk


def next_due_ms(data: bytes) -> int | None:
    return scan(data)[0]


def at_risk_open(data: bytes) -> tuple[SlaMetric, ...]:
    return scan(data)[1]
