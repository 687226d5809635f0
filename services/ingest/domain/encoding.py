"""Ingest's state as compact bytes: the value kept in the stores and written to the
changelogs as is.

Each customer's memory (``ingest.customers-changelog``) and each ticket's link to its
customer (``ingest.tickets-changelog``) is one ``bytes`` object in the store, decoded
only when a message of that customer (or an event of that ticket) arrives. A decoded
pydantic ``CustomerMemory`` costs ~4 KB of Python objects for a typical customer, its
bytes a few hundred (bench/README.md, ``bench/ingest_memory.py``).

Versioned by the first byte. Version 1, little endian, instants as int64 microseconds
since the Unix epoch (UTC), ``-2**63`` for none; strings as UTF-8 after a one-byte
length (255: a four-byte length follows):

* memory: ``B`` version, ``q`` touched_at, ``H`` number of seen ids, ``H`` number of
  threads; each seen id: string, ``q`` received at; each thread: ticket id, ``H``
  number of refs and the refs, ``q`` opened, ``q`` last message at, ``q`` resolved at,
  ``B`` flags (1 resolved, 2 skill matched, 4 has an order id, 8 has a last message,
  16 has the resolving team), ``B`` priority, ``i`` points, skill, language, the order
  id if flagged, the resolving team if flagged, ``H``
  number of signals and the signals, ``H`` number of reasons and the reasons, and if
  flagged the last message: ``B`` channel, source message id, ``q`` received at, text.
* link: ``B`` version, ``B`` status (0 open, 1 resolved), ``q`` touched_at, then the
  customer key (the rest of the record).

The records of the previous release (pydantic JSON, first byte ``{``) are read and
rewritten in this form: a new ingest restores an old changelog in place. An ingest
that meets a version it does not know refuses to start with a clear error rather than
guess (``RecordVersionError``).
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from schemas.base import CHANNEL_CODES, PRIORITY_CODES
from schemas.config.ingest import ThreadingConfig
from services.ingest.domain.links import TicketLink, expire_link
from services.ingest.domain.memory import CustomerMemory, LastMessage, Thread, expire

VERSION = 1
_LEGACY_JSON = ord("{")

_MEMORY = struct.Struct("<BqHH")
_THREAD_TIMES = struct.Struct("<qqqBBi")  # opened, last message, resolved, flags, priority, points
_LINK = struct.Struct("<BBq")
_INSTANT = struct.Struct("<q")
_COUNT = struct.Struct("<H")
_LONG = struct.Struct("<I")
_NONE = -(2**63)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

_RESOLVED, _SKILL_MATCHED, _HAS_ORDER, _HAS_LAST, _HAS_RESOLVER = 1, 2, 4, 8, 16

_CHANNELS = {code: value for value, code in CHANNEL_CODES.items()}
_PRIORITIES = {code: value for value, code in PRIORITY_CODES.items()}


class RecordVersionError(ValueError):
    """A state record written by an ingest of another version than this one reads."""


# -- customer memory --------------------------------------------------------------------
def encode_memory(memory: CustomerMemory) -> bytes:
    out = bytearray(
        _MEMORY.pack(VERSION, _micros(memory.touched_at), len(memory.seen), len(memory.threads))
    )
    for key, received_at in memory.seen.items():
        _text(out, key)
        out += _INSTANT.pack(_micros(received_at))
    for thread in memory.threads:
        _thread(out, thread)
    return bytes(out)


def decode_memory(data: bytes) -> CustomerMemory:
    _check(data)
    _, touched, seen_count, thread_count = _MEMORY.unpack_from(data)
    reader = _Reader(data, _MEMORY.size)
    seen = {}
    for _ in range(seen_count):
        key = reader.text()
        seen[key] = reader.instant()
    threads = tuple(_read_thread(reader) for _ in range(thread_count))
    return CustomerMemory.model_construct(seen=seen, threads=threads, touched_at=_instant(touched))


def memory_touched_at(data: bytes) -> datetime | None:
    """When the memory last changed, read without decoding the rest (the idle sweep)."""
    _check(data)
    return _instant(_MEMORY.unpack_from(data)[1])


def restore_memory(data: bytes) -> bytes:
    """A changelog record as the store keeps it: this version's as is, the previous
    release's JSON rewritten in this form."""
    if data[:1] == b"{":
        return encode_memory(CustomerMemory.model_validate_json(data))
    _check(data)
    return data


def _thread(out: bytearray, thread: Thread) -> None:
    _text(out, thread.ticket_id)
    out += _COUNT.pack(len(thread.refs))
    for ref in thread.refs:
        _text(out, ref)
    last = thread.last_message
    flags = (
        (_RESOLVED if thread.status == "resolved" else 0)
        | (_SKILL_MATCHED if thread.skill_matched else 0)
        | (_HAS_ORDER if thread.order_id is not None else 0)
        | (_HAS_LAST if last is not None else 0)
        | (_HAS_RESOLVER if thread.resolved_by is not None else 0)
    )
    out += _THREAD_TIMES.pack(
        _micros(thread.opened_at),
        _micros(thread.last_message_at),
        _micros(thread.resolved_at),
        flags,
        PRIORITY_CODES[thread.priority],
        thread.points,
    )
    _text(out, thread.skill)
    _text(out, thread.language)
    if thread.order_id is not None:
        _text(out, thread.order_id)
    if thread.resolved_by is not None:
        _text(out, thread.resolved_by)
    for strings in (thread.signals, thread.reasons):
        out += _COUNT.pack(len(strings))
        for value in strings:
            _text(out, value)
    if last is not None:
        out.append(CHANNEL_CODES[last.channel])
        _text(out, last.source_message_id)
        out += _INSTANT.pack(_micros(last.received_at))
        _text(out, last.text)


def _read_thread(reader: _Reader) -> Thread:
    ticket_id = reader.text()
    refs = tuple(reader.text() for _ in range(reader.count()))
    opened, last_at, resolved, flags, priority, points = reader.unpack(_THREAD_TIMES)
    skill, language = reader.text(), reader.text()
    order_id = reader.text() if flags & _HAS_ORDER else None
    resolved_by = reader.text() if flags & _HAS_RESOLVER else None
    signals = tuple(reader.text() for _ in range(reader.count()))
    reasons = tuple(reader.text() for _ in range(reader.count()))
    last = None
    if flags & _HAS_LAST:
        channel = _CHANNELS[reader.byte()]
        source_message_id = reader.text()
        received_at = reader.instant()
        last = LastMessage.model_construct(
            channel=channel,
            source_message_id=source_message_id,
            received_at=received_at,
            text=reader.text(),
        )
    return Thread.model_construct(
        ticket_id=ticket_id,
        refs=refs,
        opened_at=_required(opened),
        last_message_at=_instant(last_at),
        status="resolved" if flags & _RESOLVED else "open",
        resolved_at=_instant(resolved),
        resolved_by=resolved_by,
        skill=skill,
        skill_matched=bool(flags & _SKILL_MATCHED),
        order_id=order_id,
        language=language,
        priority=_PRIORITIES[priority],
        points=points,
        signals=signals,
        reasons=reasons,
        last_message=last,
    )


# -- ticket links -----------------------------------------------------------------------
def encode_link(link: TicketLink) -> bytes:
    status = 1 if link.status == "resolved" else 0
    return _LINK.pack(VERSION, status, _micros(link.touched_at)) + link.customer_key.encode()


def decode_link(data: bytes) -> TicketLink:
    _check(data)
    _, status, touched = _LINK.unpack_from(data)
    return TicketLink.model_construct(
        customer_key=data[_LINK.size :].decode(),
        status="resolved" if status else "open",
        touched_at=_required(touched),
    )


def restore_link(data: bytes) -> bytes:
    if data[:1] == b"{":
        return encode_link(TicketLink.model_validate_json(data))
    _check(data)
    return data


# -- the sweep's decisions on records ----------------------------------------------------
def expire_memory_record(data: bytes, now: datetime, config: ThreadingConfig) -> bytes | None:
    """``memory.expire`` on a record: None forgets it, the same object keeps it."""
    touched_at = memory_touched_at(data)
    if touched_at is not None:  # the usual case, decided on the header alone
        return None if now - touched_at > config.idle_retention else data
    memory = decode_memory(data)
    kept = expire(memory, now, config)
    if kept is None or kept is memory:
        return None if kept is None else data
    return encode_memory(kept)


def expire_link_record(data: bytes, now: datetime, config: ThreadingConfig) -> bytes | None:
    link = decode_link(data)
    kept = expire_link(link, now, config)
    if kept is None or kept is link:
        return None if kept is None else data
    return encode_link(kept)


# -- parts ------------------------------------------------------------------------------
def _check(data: bytes) -> None:
    if not data or data[0] != VERSION:
        found = data[0] if data else None
        raise RecordVersionError(
            f"ingest state record of version {found!r}: this ingest reads version {VERSION} "
            "and the previous release's JSON; run the ingest that wrote it"
        )


def _micros(moment: datetime | None) -> int:
    return _NONE if moment is None else (moment - _EPOCH) // _MICROSECOND


def _instant(value: int) -> datetime | None:
    return None if value == _NONE else _EPOCH + timedelta(microseconds=value)


def _required(value: int) -> datetime:
    moment = _instant(value)
    if moment is None:
        raise ValueError("a required instant is missing from the record")
    return moment


def _text(out: bytearray, value: str) -> None:
    raw = value.encode()
    if len(raw) < 255:
        out.append(len(raw))
    else:
        out.append(255)
        out += _LONG.pack(len(raw))
    out += raw


class _Reader:
    def __init__(self, data: bytes, offset: int) -> None:
        self.data, self.offset = data, offset

    def unpack(self, layout: struct.Struct) -> tuple[int, ...]:
        values = layout.unpack_from(self.data, self.offset)
        self.offset += layout.size
        return values

    def byte(self) -> int:
        self.offset += 1
        return self.data[self.offset - 1]

    def count(self) -> int:
        return self.unpack(_COUNT)[0]

    def instant(self) -> datetime:
        return _required(self.unpack(_INSTANT)[0])

    def text(self) -> str:
        length = self.byte()
        if length == 255:
            length = self.unpack(_LONG)[0]
        start = self.offset
        self.offset += length
        return self.data[start : self.offset].decode()
