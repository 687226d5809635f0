"""Channel payloads -> one normalised message; the one validation both intakes share."""

from __future__ import annotations

import json
from typing import Any

import pytest

from schemas.base import Channel
from services.ingest.domain.email import email_text, html_to_text, latest_reply
from services.ingest.domain.normalise import customer_key, identity_key
from services.ingest.validation import REJECTION_KINDS, InvalidPayloadError, accept
from tests.support.ingest import PAYLOADS, chat, email, encoded, marketplace, phone, social

LIMIT = 4096


def accepted(channel: Channel, payload: dict[str, Any]) -> Any:
    return accept(channel, encoded(payload), LIMIT, f"inbound.{channel.value}", ["en", "de", "pl"])


def test_email_threads_by_message_id_and_references() -> None:
    msg = accepted(
        Channel.EMAIL,
        email("<b@x>", in_reply_to="<a@x>", references=["<root@x>", "<a@x>"], order_id="4711"),
    )
    assert msg.thread_refs == ["email:<b@x>", "email:<a@x>", "email:<root@x>", "email:<a@x>"]
    assert msg.order_id == "4711"
    assert msg.customer.customer_key == customer_key("email", "anna@example.com")


def test_email_html_becomes_text_and_the_quoted_history_goes() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Hallo,</p>"
        "<p>wo bleibt mein <b>Paket</b>?</p><p>Mit freundlichen Grüßen<br>Hans</p>"
        "<div>Am 03.11.2026 um 10:00 schrieb Shop &lt;help@shop.de&gt;:</div>"
        "<blockquote>Ihre Bestellung wurde versandt.</blockquote></body></html>"
    )
    msg = accepted(Channel.EMAIL, email(text="", html=html))
    assert "wo bleibt mein Paket?" in msg.text
    assert "versandt" not in msg.text
    assert "color" not in msg.text
    assert "Hans" not in msg.text


@pytest.mark.parametrize(
    ("body", "kept", "gone"),
    [
        (
            "Hi,\n\nthe parcel is still missing.\n\nBest regards,\nAnna\n\n"
            "On Mon, 3 Nov 2026 at 10:00, Shop <help@shop.example.com> wrote:\n> shipped",
            "the parcel is still missing.",
            ["shipped", "Best regards", "Anna"],
        ),
        (
            "Dzien dobry, gdzie jest paczka?\nPozdrawiam\nJan\n\n"
            "W dniu 3.11.2026 o 10:00 Sklep <s@x.pl> napisał(a):\n> tresc",
            "gdzie jest paczka?",
            ["tresc", "Pozdrawiam"],
        ),
        (
            "Still broken.\n\nSent from my iPhone\n\n-----Original Message-----\nFrom: Shop",
            "Still broken.",
            ["Original Message", "iPhone"],
        ),
    ],
)
def test_latest_reply_cuts_quotes_and_signatures(body: str, kept: str, gone: list[str]) -> None:
    reply = latest_reply(body, ["en", "pl"])
    assert kept in reply
    for text in gone:
        assert text not in reply


def test_a_mail_that_is_all_quote_keeps_its_text() -> None:
    body = "On Mon, 3 Nov 2026 at 10:00, Shop <help@shop.example.com> wrote:\n> shipped"
    assert "shipped" in latest_reply(body, ["en"])


def test_plain_text_wins_over_html_and_html_scripts_are_dropped() -> None:
    assert email_text("plain words", "<p>html words</p>", ["en"]) == "plain words"
    assert html_to_text("<p>a</p><script>alert(1)</script>") == "a"


def test_a_phone_call_has_no_conversation_to_continue() -> None:
    msg = accepted(Channel.PHONE, phone(order_id="4711", ivr_choice="2"))
    assert msg.thread_refs == []
    assert (msg.order_id, msg.ivr_choice) == ("4711", "2")
    assert msg.customer.customer_key == customer_key("phone", "+37255551234")


def test_social_marketplace_and_chat_threads() -> None:
    post = accepted(Channel.SOCIAL, social())
    assert post.thread_refs == ["social:x:dm-1", "social:x:thread-1"]
    assert post.source_message_id == "x:dm-1"
    sale = accepted(Channel.MARKETPLACE, marketplace(reply_deadline="2026-11-28T09:00:00Z"))
    assert sale.thread_refs == ["amazon:order:ORD-1"]
    assert sale.reply_deadline is not None
    assert accepted(Channel.CHAT, chat()).thread_refs == ["chat:conv-1"]


@pytest.mark.parametrize(
    ("identity", "channel", "payload"),
    [
        ("email:Anna@Example.com", Channel.EMAIL, email()),
        ("email:anna@example.com", Channel.CHAT, chat(customer={"email": "anna@example.com"})),
        ("phone:+372 5555-1234", Channel.PHONE, phone()),
        ("phone:+372 5555 1234", Channel.CHAT, chat(customer={"phone": "+3725555 1234"})),
        ("social:x:anna_k", Channel.SOCIAL, social()),
        ("marketplace:amazon:buyer-1", Channel.MARKETPLACE, marketplace()),
        ("chat-visitor:v-1", Channel.CHAT, chat()),
    ],
)
def test_identities_in_the_config_name_the_same_customer_as_the_channels(
    identity: str, channel: Channel, payload: dict[str, Any]
) -> None:
    assert identity_key(identity) == accepted(channel, payload).customer.customer_key


def refused(channel: Channel, raw: bytes) -> str:
    with pytest.raises(InvalidPayloadError) as caught:
        accept(channel, raw, LIMIT, "inbound.x", ["en"])
    assert str(caught.value), "a refusal always says why"
    return caught.value.kind


@pytest.mark.parametrize(
    ("channel", "raw", "kind"),
    [
        (Channel.EMAIL, b"", "empty"),
        (Channel.EMAIL, b"x" * (LIMIT + 1), "oversize"),
        (Channel.CHAT, b"\xff\xfe{", "undecodable_bytes"),
        (Channel.CHAT, b"{not json", "invalid_json"),
        (Channel.EMAIL, encoded({"message_id": "x"}), "schema_violation"),
        (Channel.SOCIAL, encoded({**social(), "kind": "dm", "dm_id": None}), "schema_violation"),
        (
            Channel.CHAT,
            encoded({**chat(), "customer": {"name": "Anna"}}),
            "missing_customer_identity",
        ),
        (Channel.PHONE, encoded(phone(caller_id="anonymous")), "missing_customer_identity"),
    ],
)
def test_every_kind_of_bad_input_is_refused_with_its_reason(
    channel: Channel, raw: bytes, kind: str
) -> None:
    assert refused(channel, raw) == kind
    assert kind in REJECTION_KINDS


def test_every_channel_has_a_valid_example() -> None:
    for channel, build in PAYLOADS.items():
        assert accepted(channel, build()).channel is channel
        assert json.loads(encoded(build()))  # the helpers produce JSON
