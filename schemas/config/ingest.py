"""Ingest settings that a support lead edits: languages, skill rules, priority, threading.

Keyword lists are per language (ISO 639-1 code, or ``any`` for words every language
uses, such as brand names). A keyword matches a word with the same Snowball stem
where the language has a stemmer, the same word otherwise; ``word*`` matches every
word starting with ``word``; ``two words`` matches those words in a row. Matching
ignores case and diacritics, so customers without a Polish keyboard still match.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.base import Channel, CustomerTier

LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
#: A rule's language: an ISO 639-1 code, or ``any`` for words that mean the same everywhere.
RuleLanguage = Annotated[str, Field(pattern=r"^([a-z]{2}|any)$")]
Keyword = Annotated[str, Field(min_length=1, max_length=100)]
KeywordsByLanguage = dict[RuleLanguage, list[Keyword]]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
#: ``kind:identity`` as the channel knows the customer: ``email:anna@example.com``,
#: ``phone:+3725551234``, ``social:x:anna_k``, ``marketplace:amazon:A1B2C3``,
#: ``chat-visitor:v-123``; or a customer key (``c_...``) from the ``customers`` topic.
CustomerIdentity = Annotated[
    str, Field(pattern=r"^((email|phone|chat-visitor|social|marketplace):.+|c_[0-9a-f]{24})$")
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LanguageDetectionConfig(_Strict):
    accuracy: Literal["high", "low"] = Field(
        default="high",
        description="'high': lingua's full models (best on one-sentence texts, ~500 MB for 16 "
        "languages); 'low': its trigram models only (fast, ~40 MB, weaker on short texts).",
    )
    fast_path_confidence: float | None = Field(
        default=0.95,
        gt=0,
        le=1,
        description="With 'high': ask the trigram models first and keep their answer when it "
        "is at least this confident; only the other texts go to the full models (4x faster "
        "on typical traffic). null: always the full models.",
    )
    min_confidence: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Below this confidence of the best candidate, the language is 'und'.",
    )
    max_chars: int = Field(
        default=600, ge=50, description="Only this many characters are looked at (speed)."
    )


class ThreadingConfig(_Strict):
    reopen_window: timedelta = Field(
        default=timedelta(days=7),
        gt=timedelta(0),
        description="A reply this long after resolution reopens the ticket; later, it opens "
        "a new one.",
    )
    repeat_contact_window: timedelta = Field(
        default=timedelta(days=3),
        ge=timedelta(0),
        description="A new contact about the same order or skill within this time of the "
        "last one is a repeat contact (priority raise).",
    )
    dedup_window: timedelta = Field(
        default=timedelta(days=30),
        gt=timedelta(0),
        description="How long a message id is remembered for de-duplication.",
    )
    idle_retention: timedelta = Field(
        default=timedelta(days=30),
        gt=timedelta(0),
        description="A customer's memory is dropped after this long without activity.",
    )
    max_seen_per_customer: int = Field(default=200, ge=1, le=10_000)
    max_threads_per_customer: int = Field(default=20, ge=1, le=1_000)
    max_refs_per_thread: int = Field(default=50, ge=1, le=1_000)


class PriorityWeights(_Strict):
    """Points each signal adds; the sum decides the priority."""

    vip: int = Field(default=2, ge=0)
    loyal: int = Field(default=1, ge=0)
    repeat_contact: int = Field(default=2, ge=0)
    frustration: int = Field(default=1, ge=0)
    high_order_value: int = Field(default=1, ge=0)
    deadline_soon: int = Field(default=1, ge=0)
    deadline_very_soon: int = Field(default=2, ge=0)
    public_post: int = Field(default=1, ge=0)


def _default_order_value_thresholds() -> dict[str, Decimal]:
    return {
        "EUR": Decimal(500),
        "USD": Decimal(550),
        "GBP": Decimal(450),
        "PLN": Decimal(2_000),
        "CZK": Decimal(12_500),
        "SEK": Decimal(5_500),
        "TRY": Decimal(20_000),
    }


class PriorityConfig(_Strict):
    high_at: int = Field(default=2, ge=1, description="Points from which a ticket is 'high'.")
    urgent_at: int = Field(default=4, ge=1, description="Points from which it is 'urgent'.")
    weights: PriorityWeights = Field(default_factory=PriorityWeights)
    channel_points: dict[Channel, int] = Field(
        default_factory=lambda: {Channel.PHONE: 1},
        description="Urgency of the channel itself (a caller is waiting).",
    )
    deadline_soon: timedelta = Field(default=timedelta(hours=24), gt=timedelta(0))
    deadline_very_soon: timedelta = Field(default=timedelta(hours=6), gt=timedelta(0))
    high_order_value: dict[Currency, Decimal] = Field(
        default_factory=_default_order_value_thresholds,
        description="Order value from which an order counts as high value, per currency.",
    )
    loyal_after_orders: int | None = Field(
        default=5, ge=1, description="A customer with this many orders (customers topic) is loyal."
    )
    frustration_keywords: KeywordsByLanguage = Field(default_factory=dict)
    frustration_marks: list[str] = Field(
        default_factory=lambda: ["!!!", "???", "?!?"],
        description="Punctuation that reads as frustration whatever the language.",
    )

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> PriorityConfig:
        if self.urgent_at <= self.high_at:
            raise ValueError("urgent_at must be greater than high_at")
        if self.deadline_very_soon > self.deadline_soon:
            raise ValueError("deadline_very_soon must not be longer than deadline_soon")
        return self


class IngestConfig(_Strict):
    languages: list[LanguageCode] = Field(
        default_factory=lambda: ["en", "de", "et", "pl", "cs", "tr"],
        min_length=1,
        description="Candidate languages for detection (ISO 639-1).",
    )
    language_detection: LanguageDetectionConfig = Field(default_factory=LanguageDetectionConfig)
    skills: list[str] = Field(
        default_factory=lambda: [
            "orders_shipping",
            "returns_refunds",
            "payments_billing",
            "account_technical",
            "product_question",
        ],
        min_length=1,
        description="The skill taxonomy; on equal scores the skill listed first wins.",
    )
    default_skill: str = "product_question"
    skill_keywords: dict[str, KeywordsByLanguage] = Field(
        default_factory=dict, description="Skill -> language -> keywords and phrases."
    )
    ivr_skills: dict[str, str] = Field(
        default_factory=dict, description="Phone menu choice -> skill it stands for."
    )
    ivr_weight: float = Field(default=2.0, ge=0, description="Score an IVR choice adds.")
    channel_needs: dict[Channel, list[str]] = Field(
        default_factory=lambda: {Channel.PHONE: ["voice"], Channel.MARKETPLACE: ["marketplace"]},
        description="Capabilities a team needs for tickets from the channel.",
    )
    customer_tiers: dict[CustomerIdentity, CustomerTier] = Field(
        default_factory=dict,
        description="Customers whose tier is known here (the customers topic adds more).",
    )
    priority: PriorityConfig = Field(default_factory=PriorityConfig)
    threading: ThreadingConfig = Field(default_factory=ThreadingConfig)

    @model_validator(mode="after")
    def _skills_known(self) -> IngestConfig:
        known = set(self.skills)
        if self.default_skill not in known:
            raise ValueError(f"default_skill {self.default_skill!r} is not in skills")
        unknown = sorted((set(self.skill_keywords) | set(self.ivr_skills.values())) - known)
        if unknown:
            raise ValueError(f"skill_keywords/ivr_skills name skills not in skills: {unknown}")
        return self
