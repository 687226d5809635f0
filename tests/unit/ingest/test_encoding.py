"""Ingest's state records: compact bytes that decode to what was encoded, the previous
release's JSON changelog records upgraded in place, unknown versions refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schemas.base import Channel, Priority
from schemas.config.ingest import ThreadingConfig
from services.ingest.domain.encoding import (
    RecordVersionError,
    decode_link,
    decode_memory,
    encode_link,
    encode_memory,
    expire_memory_record,
    restore_link,
    restore_memory,
)
from services.ingest.domain.links import TicketLink
from services.ingest.domain.memory import CustomerMemory, LastMessage, Thread
from tests.support.ingest import at

instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
texts = st.text(max_size=300)  # past 255 UTF-8 bytes: the long length form
last_messages = st.builds(
    LastMessage,
    channel=st.sampled_from(Channel),
    source_message_id=texts,
    received_at=instants,
    text=texts,
)
threads = st.builds(
    Thread,
    ticket_id=texts,
    refs=st.lists(texts, max_size=4).map(tuple),
    opened_at=instants,
    last_message_at=st.none() | instants,
    status=st.sampled_from(["open", "resolved"]),
    resolved_at=st.none() | instants,
    resolved_by=st.none() | texts,
    skill=texts,
    skill_matched=st.booleans(),
    order_id=st.none() | texts,
    language=texts,
    priority=st.sampled_from(Priority),
    points=st.integers(-(2**31), 2**31 - 1),
    signals=st.lists(texts, max_size=3).map(tuple),
    reasons=st.lists(texts, max_size=3).map(tuple),
    last_message=st.none() | last_messages,
)
memories = st.builds(
    CustomerMemory,
    seen=st.dictionaries(texts, instants, max_size=5),
    threads=st.lists(threads, max_size=3).map(tuple),
    touched_at=st.none() | instants,
)


@given(memories)
def test_a_memory_decodes_to_what_was_encoded(memory: CustomerMemory) -> None:
    data = encode_memory(memory)
    decoded = decode_memory(data)
    assert decoded == memory
    assert list(decoded.seen) == list(memory.seen), "the oldest-first order is kept"
    assert encode_memory(decoded) == data


@given(memories)
def test_the_previous_release_json_is_rewritten_in_place(memory: CustomerMemory) -> None:
    old_record = memory.model_dump_json().encode()  # what the previous ingest wrote
    assert decode_memory(restore_memory(old_record)) == memory
    assert restore_memory(old_record) == encode_memory(memory)


def test_a_record_of_the_previous_release_restores() -> None:
    # Written by the previous release's ingest (ModelCodec JSON), from the simulator.
    old = (
        b'{"seen":{"chat:msg_002802d3b91c31b2":"2026-11-23T00:00:59.667000Z"},"threads":[{'
        b'"ticket_id":"82b858ec-f676-5d91-9815-6781fdbc193e","refs":["chat:conv_b57c813ea104"],'
        b'"opened_at":"2026-11-23T00:00:59.667000Z","last_message_at":"2026-11-23T00:02:34.907'
        b'000Z","status":"open","resolved_at":null,"skill":"product_question","skill_matched":'
        b'true,"order_id":null,"language":"en","priority":"normal","points":0,"signals":[],'
        b'"reasons":["0 point(s): normal (high from 2, urgent from 4)"],"last_message":{'
        b'"channel":"chat","source_message_id":"msg_d8a0f6a15a9916f4","received_at":'
        b'"2026-11-23T00:02:34.907000Z","text":"I forgot to add the order nuber: 47468645."}}],'
        b'"touched_at":"2026-11-23T00:02:34.907000Z"}'
    )
    memory = decode_memory(restore_memory(old))
    [thread] = memory.threads
    assert thread.last_message is not None
    assert thread.last_message.text == "I forgot to add the order nuber: 47468645."
    assert thread.last_message.received_at == datetime(2026, 11, 23, 0, 2, 34, 907000, UTC)
    assert memory.touched_at == thread.last_message.received_at
    skeleton = b'{"seen": ["email:<a@x>"], "threads": []}'  # the walking skeleton's format
    assert "email:<a@x>" in decode_memory(restore_memory(skeleton)).seen


def test_links_decode_and_upgrade_in_place() -> None:
    link = TicketLink(customer_key="c_0123456789abcdef01234567", status="resolved", touched_at=at())
    assert decode_link(encode_link(link)) == link
    assert restore_link(link.model_dump_json().encode()) == encode_link(link)
    assert len(encode_link(link)) == 10 + len(link.customer_key)


@pytest.mark.parametrize("record", [b"\x02" + bytes(20), b"", b"\x00\x01"])
def test_a_record_of_an_unknown_version_is_refused_with_a_clear_error(record: bytes) -> None:
    for read in (restore_memory, restore_link, decode_memory, decode_link):
        with pytest.raises(RecordVersionError, match="this ingest reads version 1"):
            read(record)


def test_the_sweep_decides_on_the_record_header() -> None:
    config = ThreadingConfig()
    data = encode_memory(CustomerMemory(seen={"k": at()}, touched_at=at()))
    assert expire_memory_record(data, at(days=29), config) is data
    assert expire_memory_record(data, at(days=31), config) is None
    untouched = encode_memory(CustomerMemory(seen={"k": at(), "old": at(days=-40)}))
    pruned = expire_memory_record(untouched, at(), config)
    assert pruned is not None
    assert list(decode_memory(pruned).seen) == ["k"]
    assert expire_memory_record(pruned, at(), config) is pruned
    assert expire_memory_record(pruned, at() + timedelta(days=31), config) is None
