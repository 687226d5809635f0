"""Control characters leave the free text of every message at normalisation, counted."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from plumbing.processor import Step
from plumbing.store import StateStore
from schemas.base import Channel
from schemas.ingest import NormalisedMessage
from services.ingest.domain.control import clean_text
from services.ingest.handlers import NormaliseHandler
from services.ingest.metrics import IngestMetrics
from services.ingest.validation import admit
from tests.support.ingest import PAYLOADS, at, encoded

LINE_ENDS = "\r\x0b\x0c\x85"

#: Text that leans on the characters in question, plus anything else Unicode has.
texts = st.lists(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x9F),
        st.sampled_from(["\r\n", "\n", "\t", "\x00", "\x85", "\u2028", "\ufeff", "é", "日"]),
        st.characters(),
    )
).map("".join)


def removable(char: str) -> bool:
    return unicodedata.category(char) == "Cc" and char not in "\t\n" + LINE_ENDS


@given(texts)
def test_clean_text_keeps_every_printable_character_and_no_control(text: str) -> None:
    cleaned, removed = clean_text(text)
    assert not any(unicodedata.category(c) == "Cc" and c not in "\t\n" for c in cleaned)
    # Nothing else is lost or reordered; line ends become one LF each.
    assert [c for c in cleaned if c != "\n"] == [
        c for c in text if unicodedata.category(c) != "Cc" or c == "\t"
    ]
    assert cleaned.count("\n") == text.replace("\r\n", "\n").count("\n") + sum(
        text.replace("\r\n", "\n").count(c) for c in LINE_ENDS
    )
    assert removed == sum(1 for c in text if removable(c))
    assert clean_text(cleaned) == (cleaned, 0)


@pytest.mark.parametrize(
    ("text", "cleaned", "removed"),
    [
        ("a\u0000b", "ab", 1),
        ("Hello\r\nworld\rand\x0cmore", "Hello\nworld\nand\nmore", 0),
        ("\x1b[31mred\x1b[0m", "[31mred[0m", 2),
        ("tab\tstays, DEL\x7f and C1 \x9b go", "tab\tstays, DEL and C1  go", 2),
        ("plain text", "plain text", 0),
    ],
)
def test_clean_text_examples(text: str, cleaned: str, removed: int) -> None:
    assert clean_text(text) == (cleaned, removed)


HOSTILE = "Where is\u0000 my \u0085parcel\u0007?\u009c"
#: Per channel: the field holding the body, and other free text it carries.
FIELDS: dict[Channel, dict[str, Any]] = {
    Channel.EMAIL: {"text": HOSTILE, "subject": "Order\u0000 4711", "from_name": "An\u0001na"},
    Channel.CHAT: {"text": HOSTILE, "customer": {"visitor_id": "v-1", "name": "An\u0001na"}},
    Channel.PHONE: {"transcript": HOSTILE, "caller_name": "An\u0001na"},
    Channel.SOCIAL: {"text": HOSTILE, "display_name": "An\u0001na"},
    Channel.MARKETPLACE: {
        "text": HOSTILE,
        "subject": "Order\u0000 4711",
        "buyer_name": "An\u0001na",
    },
}


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_is_cleaned_at_normalisation(channel: Channel) -> None:
    payload = PAYLOADS[channel](**FIELDS[channel])
    message, removed = admit(channel, encoded(payload), 1 << 16, "inbound.x", ["en"])
    assert "Where is my \nparcel?" in message.text
    assert message.customer.name == "Anna"
    if "subject" in FIELDS[channel]:
        assert message.subject == "Order 4711"
    assert removed == 3 + 1 + ("subject" in FIELDS[channel])
    assert "\\u0000" not in message.to_json_bytes().decode()


@dataclass(frozen=True)
class Rec:
    topic: str
    value: bytes
    key: bytes | None = None
    partition: int = 0
    offset: int = 0


def test_the_normalise_stage_passes_on_clean_text_and_counts_what_it_removed() -> None:
    registry = CollectorRegistry()
    handler = NormaliseHandler(
        channel_by_topic={"inbound.chat": Channel.CHAT},
        messages_topic="ingest.messages",
        max_bytes=4096,
        languages=["en"],
        metrics=IngestMetrics(registry),
    )
    step = Step[None](partition=0, store=StateStore(), now=at())
    raw = json.dumps(PAYLOADS[Channel.CHAT](text="a\u0000b")).encode()
    assert b"\\u0000" in raw  # what arrives is JSON with an escaped NUL
    handler(Rec("inbound.chat", raw), step)
    [output] = step.outputs
    assert NormalisedMessage.model_validate_json(output.value or b"").text == "ab"
    assert (
        registry.get_sample_value(
            "switchboard_ingest_control_characters_total", {"channel": "chat"}
        )
        == 1
    )
