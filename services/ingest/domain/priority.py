"""Priority from explainable signals: each signal adds points, the sum decides.

Signals: the customer's tier, the channel's urgency, a public social post, the
marketplace's reply deadline, the order value, frustration in the customer's
words, and repeat contacts (found by the threader). Every signal that counted
is reported as a reason with its points, so a support lead can see why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from schemas.base import CustomerTier, Priority
from schemas.config.ingest import PriorityConfig
from schemas.customers import CustomerProfile
from schemas.ingest import NormalisedMessage
from services.ingest.domain.keywords import KeywordRules
from services.ingest.domain.language import UNDETERMINED
from services.ingest.domain.text import Words

FRUSTRATION = "frustration"
REPEAT_CONTACT = "repeat_contact"


@dataclass(frozen=True)
class Signal:
    name: str
    points: int
    reason: str

    def describe(self) -> str:
        return f"{self.reason} (+{self.points})"


def level(points: int, config: PriorityConfig) -> Priority:
    if points >= config.urgent_at:
        return Priority.URGENT
    if points >= config.high_at:
        return Priority.HIGH
    return Priority.NORMAL


def summary(points: int, config: PriorityConfig) -> str:
    return (
        f"{points} point(s): {level(points, config).value} "
        f"(high from {config.high_at}, urgent from {config.urgent_at})"
    )


def reasons(signals: Iterable[Signal], config: PriorityConfig) -> tuple[Priority, list[str]]:
    """The priority the signals add up to, and why (the last reason is the summary)."""
    counted = [signal for signal in signals if signal.points > 0]
    points = sum(signal.points for signal in counted)
    return level(points, config), [
        *(signal.describe() for signal in counted),
        summary(points, config),
    ]


def resolve_tier(
    customer_key: str,
    configured: Mapping[str, CustomerTier],
    profile: CustomerProfile | None,
    loyal_after_orders: int | None,
) -> tuple[CustomerTier, str]:
    """The highest tier any source gives the customer, and which source said so."""
    found: list[tuple[CustomerTier, str]] = [(CustomerTier.STANDARD, "")]
    if customer_key in configured:
        found.append((configured[customer_key], "config"))
    if profile is not None:
        found.append((profile.tier, "customers topic"))
        orders = profile.lifetime_orders
        if loyal_after_orders is not None and orders is not None and orders >= loyal_after_orders:
            found.append((CustomerTier.LOYAL, f"{orders} orders"))
    rank = {CustomerTier.STANDARD: 0, CustomerTier.LOYAL: 1, CustomerTier.VIP: 2}
    return max(found, key=lambda item: rank[item[0]])


class PrioritySignals:
    def __init__(self, config: PriorityConfig, languages: Iterable[str]) -> None:
        self.config = config
        wanted = set(languages)
        self._frustration = {
            language: KeywordRules(language, {FRUSTRATION: keywords})
            for language, keywords in config.frustration_keywords.items()
            if language in wanted or language == "any"
        }

    def of_message(
        self,
        message: NormalisedMessage,
        text: Words,
        language: str,
        tier: tuple[CustomerTier, str],
    ) -> list[Signal]:
        weights = self.config.weights
        signals: list[Signal] = []
        tier_value, source = tier
        if tier_value is CustomerTier.VIP:
            signals.append(Signal("tier", weights.vip, f"vip customer ({source})"))
        elif tier_value is CustomerTier.LOYAL:
            signals.append(Signal("tier", weights.loyal, f"loyal customer ({source})"))
        channel_points = self.config.channel_points.get(message.channel, 0)
        if channel_points:
            signals.append(Signal("channel", channel_points, f"{message.channel.value} channel"))
        if message.public:
            signals.append(Signal("public_post", weights.public_post, "public social post"))
        if message.reply_deadline is not None:
            signals += self._deadline(message.reply_deadline, message.received_at)
        signals += self._order_value(message)
        frustration = self.frustration(text, message.text, language)
        if frustration is not None:
            signals.append(frustration)
        return [signal for signal in signals if signal.points > 0]

    def frustration(self, text: Words, raw_text: str, language: str) -> Signal | None:
        rules = (
            self._frustration.values()
            if language == UNDETERMINED
            else [r for key in (language, "any") if (r := self._frustration.get(key)) is not None]
        )
        evidence = [match.evidence for rule in rules for match in rule.find(text)]
        evidence += [f"'{mark}'" for mark in self.config.frustration_marks if mark in raw_text]
        if not evidence or self.config.weights.frustration <= 0:
            return None
        return Signal(
            FRUSTRATION, self.config.weights.frustration, f"frustration: {', '.join(evidence)}"
        )

    def _deadline(self, deadline: datetime, received_at: datetime) -> list[Signal]:
        left = deadline - received_at
        hours = max(0.0, left.total_seconds() / 3600)
        if left <= self.config.deadline_very_soon:
            return [
                Signal(
                    "deadline",
                    self.config.weights.deadline_very_soon,
                    f"marketplace reply deadline in {hours:.1f} h",
                )
            ]
        if left <= self.config.deadline_soon:
            return [
                Signal(
                    "deadline",
                    self.config.weights.deadline_soon,
                    f"marketplace reply deadline in {hours:.1f} h",
                )
            ]
        return []

    def _order_value(self, message: NormalisedMessage) -> list[Signal]:
        if message.order_value is None or message.currency is None:
            return []
        threshold = self.config.high_order_value.get(message.currency)
        if threshold is None or message.order_value < threshold:
            return []
        return [
            Signal(
                "order_value",
                self.config.weights.high_order_value,
                f"order value {message.order_value} {message.currency} >= {threshold}",
            )
        ]
