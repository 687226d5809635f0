"""What a contact is about, how it is written, and what follows it."""

from __future__ import annotations

from schemas.base import Channel, CustomerTier

SKILLS: tuple[str, ...] = (
    "orders_shipping",
    "returns_refunds",
    "payments_billing",
    "account_technical",
    "product_question",
)

#: Skill mix of an ordinary day, before the channel and the season shift it.
SKILL_BASE: dict[str, float] = {
    "orders_shipping": 0.32,
    "returns_refunds": 0.22,
    "payments_billing": 0.14,
    "account_technical": 0.10,
    "product_question": 0.22,
}

#: How much each unit of seasonal pressure raises a skill (see ``season.skill_weights``):
#: shipping follows the busy days before, returns the busy weeks before, pre-sale
#: questions and payment trouble the busy day itself.
SHIPPING_PER_PRESSURE = 0.2
RETURNS_PER_PRESSURE = 0.35
PRESALE_PER_PRESSURE = 0.06
PAYMENTS_PER_PRESSURE = 0.05

#: Channel x skill affinity: marketplaces rarely get account questions, chat gets
#: pre-sale questions, phone gets payment trouble.
CHANNEL_SKILL_AFFINITY: dict[Channel, dict[str, float]] = {
    Channel.EMAIL: {"returns_refunds": 1.15, "payments_billing": 1.1},
    Channel.CHAT: {"product_question": 1.4, "account_technical": 1.1, "returns_refunds": 0.85},
    Channel.PHONE: {"payments_billing": 1.3, "account_technical": 1.2, "product_question": 0.7},
    Channel.SOCIAL: {"orders_shipping": 1.3, "product_question": 0.8, "account_technical": 0.7},
    Channel.MARKETPLACE: {
        "orders_shipping": 1.3,
        "returns_refunds": 1.2,
        "account_technical": 0.25,
        "product_question": 0.7,
    },
}

#: How many days before the contact the order was placed, by skill (from two:
#: nobody writes "1 day ago" for yesterday).
DAYS_SINCE_ORDER: dict[str, tuple[int, int]] = {
    "orders_shipping": (2, 12),
    "returns_refunds": (4, 20),
    "payments_billing": (2, 7),
    "account_technical": (2, 10),
    "product_question": (2, 10),
}
#: A pre-sale question is rarely about an order (on a marketplace, everything is).
PRESALE_ORDER_SHARE = 0.1
#: Currencies whose prices are whole numbers.
WHOLE_CURRENCIES: frozenset[str] = frozenset({"CZK", "TRY"})

# What a channel's payload knows besides the text.
#: E-mails from the contact form carry the order number in a field.
CONTACT_FORM_SHARE = 0.3
CHAT_NAME_GIVEN_SHARE = 0.5
CHAT_LOGGED_IN_SHARE = 0.45
#: Logged-in chatters often start the chat from the order's page.
CHAT_FROM_ORDER_PAGE_SHARE = 0.6
#: Callers asked by the phone menu for their order number who key it in.
ORDER_KEYED_IN_SHARE = 0.7
#: Calls where the telephony system shows the caller's name.
CALLER_NAMED_SHARE = 0.4
CALL_SECONDS_MEDIAN = 200.0
CALL_SECONDS_SIGMA = 0.6

#: Probability that the customer names the order, per skill.
ORDER_MENTIONED: dict[str, float] = {
    "orders_shipping": 0.85,
    "returns_refunds": 0.8,
    "payments_billing": 0.7,
    "account_technical": 0.2,
    "product_question": 0.12,
}

TIER_WEIGHTS: dict[CustomerTier, float] = {
    CustomerTier.STANDARD: 0.79,
    CustomerTier.LOYAL: 0.17,
    CustomerTier.VIP: 0.04,
}
#: Loyal and VIP customers buy more per order.
TIER_ORDER_VALUE_FACTOR: dict[CustomerTier, float] = {
    CustomerTier.STANDARD: 1.0,
    CustomerTier.LOYAL: 1.4,
    CustomerTier.VIP: 2.8,
}
ORDER_VALUE_SIGMA = 0.8

#: Share of first contacts from a customer who wrote before in the same run.
RETURNING_CUSTOMER_SHARE = 0.12

#: Phone lines are staffed 08:00-20:00 local time (extended for the season);
#: outside those hours a caller writes instead.
PHONE_HOURS: tuple[int, int] = (8, 20)

# How a message is written: probabilities per message.
TYPO_SHARE: dict[Channel, float] = {
    Channel.EMAIL: 0.15,
    Channel.CHAT: 0.4,
    Channel.PHONE: 0.0,  # a transcript's errors are the recogniser's, not typos
    Channel.SOCIAL: 0.35,
    Channel.MARKETPLACE: 0.2,
}
PLAIN_LETTERS_SHARE: dict[Channel, float] = {
    Channel.EMAIL: 0.1,
    Channel.CHAT: 0.3,
    Channel.PHONE: 0.0,
    Channel.SOCIAL: 0.3,
    Channel.MARKETPLACE: 0.15,
}
FRUSTRATED_SHARE = 0.08
#: Added to ``FRUSTRATED_SHARE`` on busy days (seasonal multiplier of 3 or more).
FRUSTRATED_PEAK_EXTRA = 0.06
FRUSTRATED_FOLLOW_UP_SHARE = 0.35
#: Share of frustrated messages written (partly) in capitals.
SHOUTING_SHARE = 0.35
MIXED_LANGUAGE_SHARE = 0.05
