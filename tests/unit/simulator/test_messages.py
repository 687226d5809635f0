"""The demo week's messages: valid payloads, threads ingest can follow, honest duplicates."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from schemas.base import Channel
from schemas.inbound import PAYLOAD_BY_CHANNEL, MarketplacePayload, PhonePayload
from services.ingest.domain.normalise import message_key, normalise
from switchboard.simulator import SimMessage
from switchboard.simulator.data.logistics import MARKETPLACES
from switchboard.simulator.data.mix import PHONE_HOURS

REQUIRED_LANGUAGES = {"et", "lv", "lt", "fi", "pl", "cs", "tr", "de", "en"}


def test_the_demo_week_is_sized_for_the_demo(demo_week: list[SimMessage]) -> None:
    assert 15_000 <= len(demo_week) <= 25_000
    languages = Counter(message.truth.language for message in demo_week)
    assert set(languages) >= REQUIRED_LANGUAGES
    assert {"ru", "uk", "sv"} <= set(languages)
    assert set(Counter(message.channel for message in demo_week)) == set(Channel)
    marketplaces = {m.truth.marketplace for m in demo_week if m.truth.marketplace}
    assert {"amazon", "ebay", "allegro", "etsy", "trendyol"} <= marketplaces


def test_every_payload_is_valid_on_the_wire_for_its_channel(
    demo_week: list[SimMessage],
) -> None:
    for message in demo_week:
        parsed = PAYLOAD_BY_CHANNEL[message.channel].model_validate_json(message.payload_bytes())
        assert parsed == message.payload
        assert message.topic == f"inbound.{message.channel.value}"


def test_messages_are_in_the_range_in_delivery_order_with_unique_ids(
    demo_week: list[SimMessage], demo_range: tuple[datetime, datetime]
) -> None:
    start, end = demo_range
    assert all(start <= message.at < end for message in demo_week)
    assert [m.at for m in demo_week] == sorted(m.at for m in demo_week)
    assert len({message.sim_id for message in demo_week}) == len(demo_week)


def test_each_original_message_has_its_own_channel_id(demo_week: list[SimMessage]) -> None:
    originals = [m for m in demo_week if not m.truth.is_duplicate]
    keys = [
        message_key(m.channel, normalise(m.payload, m.topic).source_message_id) for m in originals
    ]
    assert len(set(keys)) == len(keys)


def test_duplicates_are_the_same_delivery_again_later(demo_week: list[SimMessage]) -> None:
    by_id = {message.sim_id: message for message in demo_week}
    duplicates = [m for m in demo_week if m.truth.is_duplicate]
    assert 0.005 < len(duplicates) / len(demo_week) < 0.04
    for copy in duplicates:
        original = by_id[copy.truth.duplicate_of or ""]
        assert copy.payload_bytes() == original.payload_bytes()
        assert copy.key == original.key
        assert copy.at > original.at
        assert copy.truth.model_copy(update={"is_duplicate": False, "duplicate_of": None}) == (
            original.truth
        )


def test_follow_ups_continue_a_thread_ingest_can_recognise(demo_week: list[SimMessage]) -> None:
    """Ingest's own normalisation must find the earlier message's thread (for a call:
    its order) in the follow-up, for the same customer: that is what threading and
    repeat-contact detection rely on."""
    by_id = {message.sim_id: message for message in demo_week}
    follow_ups = [m for m in demo_week if m.truth.follow_up_of and not m.truth.is_duplicate]
    assert 0.2 < len(follow_ups) / len(demo_week) < 0.45
    seen_channels = set()
    for message in follow_ups:
        earlier = by_id[message.truth.follow_up_of or ""]
        assert earlier.at < message.at
        assert earlier.channel == message.channel
        assert earlier.truth.customer_id == message.truth.customer_id
        assert earlier.truth.conversation_id == message.truth.conversation_id
        assert earlier.truth.message_index == message.truth.message_index - 1
        now, before = (
            normalise(message.payload, message.topic),
            normalise(earlier.payload, earlier.topic),
        )
        assert now.customer.customer_key == before.customer.customer_key
        if message.channel is Channel.PHONE:
            # A call has no thread: ingest links a second call by its order (repeat contact).
            assert now.order_id, message.sim_id
            assert now.order_id == before.order_id, message.sim_id
        else:
            assert set(now.thread_refs) & set(before.thread_refs), message.sim_id
        seen_channels.add(message.channel)
    assert seen_channels == set(Channel)


def test_marketplaces_set_reply_deadlines_where_they_have_them(
    demo_week: list[SimMessage],
) -> None:
    seen: set[str] = set()
    for message in demo_week:
        payload = message.payload
        if not isinstance(payload, MarketplacePayload):
            continue
        hours = MARKETPLACES[payload.marketplace].reply_deadline_hours
        if hours is None:
            assert payload.reply_deadline is None
        else:
            assert payload.reply_deadline == payload.sent_at + timedelta(hours=hours)
        seen.add(payload.marketplace)
    assert {"amazon", "etsy"} <= seen


def test_calls_come_in_while_the_phone_lines_are_open(demo_week: list[SimMessage]) -> None:
    opens, closes = PHONE_HOURS
    for message in demo_week:
        if isinstance(message.payload, PhonePayload) and not message.truth.is_duplicate:
            local = message.payload.started_at.astimezone(ZoneInfo(message.truth.timezone))
            assert opens <= local.hour < closes, message.sim_id


def test_ground_truth_matches_the_payload(demo_week: list[SimMessage]) -> None:
    for message in demo_week:
        payload = message.payload
        if isinstance(payload, MarketplacePayload):
            assert payload.marketplace == message.truth.marketplace
            assert payload.order_id == message.truth.order_id
        order_id = getattr(payload, "order_id", None)
        if order_id is not None:
            assert order_id == message.truth.order_id


def test_the_mix_shifts_to_where_is_my_order_after_black_friday(
    demo_week: list[SimMessage],
) -> None:
    tallinn = ZoneInfo("Europe/Tallinn")

    def shipping_share(day: int) -> float:
        skills = Counter(
            m.truth.skill
            for m in demo_week
            if m.truth.message_index == 0
            and not m.truth.is_duplicate
            and m.at.astimezone(tallinn).day == day
        )
        return skills["orders_shipping"] / sum(skills.values())

    assert shipping_share(1) > shipping_share(25) + 0.05  # Tue 1 Dec vs Wed 25 Nov
