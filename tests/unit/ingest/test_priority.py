"""Priority: each signal's points, the thresholds, the tier sources, and the reasons."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from schemas.base import Channel, CustomerTier, Priority
from schemas.config.ingest import PriorityConfig
from schemas.customers import CustomerProfile
from services.ingest.domain.priority import PrioritySignals, level, reasons, resolve_tier
from services.ingest.domain.text import Words
from tests.support.ingest import T0, message

CONFIG = PriorityConfig(frustration_keywords={"en": ["unacceptable", "third time"]})
SIGNALS = PrioritySignals(CONFIG, ["en"])
STANDARD = (CustomerTier.STANDARD, "")


def signals_of(
    text: str = "Where is my parcel?", tier: Any = STANDARD, **fields: Any
) -> dict[str, int]:
    msg = message(text=text, **fields)
    return {s.name: s.points for s in SIGNALS.of_message(msg, Words(text), "en", tier)}


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({}, {}),
        ({"tier": (CustomerTier.VIP, "config")}, {"tier": 2}),
        ({"tier": (CustomerTier.LOYAL, "7 orders")}, {"tier": 1}),
        ({"channel": Channel.PHONE}, {"channel": 1}),
        ({"channel": Channel.SOCIAL, "public": True}, {"public_post": 1}),
        ({"reply_deadline": T0 + timedelta(hours=5)}, {"deadline": 2}),
        ({"reply_deadline": T0 + timedelta(hours=20)}, {"deadline": 1}),
        ({"reply_deadline": T0 + timedelta(days=2)}, {}),
        ({"order_value": Decimal(600), "currency": "EUR"}, {"order_value": 1}),
        ({"order_value": Decimal(600), "currency": "PLN"}, {}),  # 600 PLN is not much
        ({"order_value": Decimal(600), "currency": "XYZ"}, {}),  # no threshold configured
        ({"text": "This is UNACCEPTABLE"}, {"frustration": 1}),
        ({"text": "Where is it???"}, {"frustration": 1}),
    ],
)
def test_each_signal(case: dict[str, Any], expected: dict[str, int]) -> None:
    assert signals_of(**case) == expected


@pytest.mark.parametrize(
    ("points", "priority"),
    [
        (0, Priority.NORMAL),
        (1, Priority.NORMAL),
        (2, Priority.HIGH),
        (3, Priority.HIGH),
        (4, Priority.URGENT),
        (9, Priority.URGENT),
    ],
)
def test_thresholds(points: int, priority: Priority) -> None:
    assert level(points, CONFIG) is priority


def test_reasons_list_every_signal_with_points_and_end_with_the_sum() -> None:
    msg = message(channel=Channel.PHONE, text="third time I call, unacceptable")
    found = SIGNALS.of_message(msg, Words(msg.text), "en", (CustomerTier.VIP, "config"))
    priority, why = reasons(found, CONFIG)
    assert priority is Priority.URGENT
    assert why == [
        "vip customer (config) (+2)",
        "phone channel (+1)",
        "frustration: third time, unacceptable (+1)",
        "4 point(s): urgent (high from 2, urgent from 4)",
    ]


def profile(tier: CustomerTier, orders: int | None = None) -> CustomerProfile:
    return CustomerProfile(
        event_id=uuid.uuid4(),
        occurred_at=T0,
        correlation_id="crm",
        customer_key="c_1",
        tier=tier,
        lifetime_orders=orders,
    )


@pytest.mark.parametrize(
    ("configured", "known", "expected"),
    [
        ({}, None, (CustomerTier.STANDARD, "")),
        ({"c_1": CustomerTier.VIP}, None, (CustomerTier.VIP, "config")),
        ({}, profile(CustomerTier.LOYAL), (CustomerTier.LOYAL, "customers topic")),
        ({}, profile(CustomerTier.STANDARD, orders=7), (CustomerTier.LOYAL, "7 orders")),
        ({}, profile(CustomerTier.STANDARD, orders=2), (CustomerTier.STANDARD, "")),
        (
            {"c_1": CustomerTier.LOYAL},
            profile(CustomerTier.VIP),
            (CustomerTier.VIP, "customers topic"),
        ),
    ],
)
def test_the_highest_tier_of_any_source_wins(
    configured: dict[str, CustomerTier], known: CustomerProfile | None, expected: Any
) -> None:
    assert resolve_tier("c_1", configured, known, 5) == expected


def test_priority_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="urgent_at"):
        PriorityConfig(high_at=3, urgent_at=3)
