"""Raw channel payloads: what connectors and the HTTP intake put on ``inbound.<channel>``.

These are inputs from outside, not events: they carry the sender's own ids and
timestamps. Ingest validates them, turns each into one ``NormalisedMessage``
and, from there, into ticket events.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, WithJsonSchema, model_validator
from pydantic.networks import validate_email

from schemas.base import Channel, Contract, UtcDatetime

ExternalId = Annotated[str, Field(min_length=1, max_length=512)]
ShortText = Annotated[str, Field(max_length=1_000)]
#: Message bodies are capped so one message cannot hold a partition hostage.
BodyText = Annotated[str, Field(max_length=100_000)]


@lru_cache(maxsize=4096)
def _normalised_email(address: str) -> str:
    """pydantic's ``EmailStr`` check (email-validator, no DNS), once per distinct address.

    The check is a pure function of the string and costs more than the rest of an
    e-mail payload's validation; the shop's own address is in every mail's ``to`` and
    customers write more than once. Invalid addresses raise and are not cached.
    """
    return validate_email(address)[1]


#: ``EmailStr`` with its result cached: the same normalised address, errors and schema.
EmailAddress = Annotated[
    str,
    AfterValidator(_normalised_email),
    WithJsonSchema({"type": "string", "format": "email"}),
]


class EmailPayload(Contract):
    channel: Literal["email"] = "email"
    message_id: ExternalId = Field(description="The RFC 5322 Message-ID.")
    from_: EmailAddress = Field(alias="from", description="Sender address.")
    from_name: ShortText | None = None
    to: list[EmailAddress] = Field(min_length=1)
    subject: ShortText = ""
    text: BodyText = Field(default="", description="Plain-text body, if the mail had one.")
    html: BodyText | None = Field(default=None, description="HTML body, converted to text.")
    received_at: UtcDatetime
    in_reply_to: ExternalId | None = None
    references: list[ExternalId] = Field(default_factory=list, max_length=200)
    order_id: ShortText | None = None
    order_value: Decimal | None = Field(default=None, ge=0)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None

    @model_validator(mode="after")
    def _has_a_body(self) -> EmailPayload:
        if not self.text.strip() and not (self.html or "").strip() and not self.subject.strip():
            raise ValueError("an email needs a subject, a text body or an HTML body")
        return self


class ChatCustomer(Contract):
    visitor_id: ExternalId | None = None
    name: ShortText | None = None
    email: EmailAddress | None = None
    phone: ShortText | None = None


class ChatPayload(Contract):
    channel: Literal["chat"] = "chat"
    message_id: ExternalId
    conversation_id: ExternalId
    customer: ChatCustomer
    text: BodyText = Field(min_length=1)
    sent_at: UtcDatetime
    page_url: ShortText | None = None
    order_id: ShortText | None = None
    order_value: Decimal | None = Field(default=None, ge=0)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None


class PhonePayload(Contract):
    channel: Literal["phone"] = "phone"
    call_id: ExternalId
    caller_id: Annotated[str, Field(min_length=3, max_length=32)] = Field(
        description="Caller number, E.164 where the telephony system knows it."
    )
    caller_name: ShortText | None = None
    transcript: BodyText = Field(min_length=1)
    ivr_choice: ShortText | None = Field(default=None, description="Menu option the caller chose.")
    started_at: UtcDatetime
    duration_seconds: int | None = Field(default=None, ge=0)
    order_id: ShortText | None = None


SocialPlatform = Literal["x", "facebook", "instagram", "tiktok", "linkedin", "youtube", "other"]


class SocialPayload(Contract):
    channel: Literal["social"] = "social"
    platform: SocialPlatform
    handle: Annotated[str, Field(min_length=1, max_length=128)]
    display_name: ShortText | None = None
    kind: Literal["dm", "post", "comment"]
    post_id: ExternalId | None = Field(default=None, description="Id of a public post/comment.")
    dm_id: ExternalId | None = Field(default=None, description="Id of a direct message.")
    thread_id: ExternalId | None = Field(
        default=None, description="Conversation or parent post this message belongs to."
    )
    text: BodyText = Field(min_length=1)
    posted_at: UtcDatetime
    order_id: ShortText | None = None

    @model_validator(mode="after")
    def _has_an_id(self) -> SocialPayload:
        if self.kind == "dm" and not self.dm_id:
            raise ValueError("a direct message needs dm_id")
        if self.kind != "dm" and not self.post_id:
            raise ValueError("a post or comment needs post_id")
        return self

    @property
    def message_id(self) -> str:
        return self.dm_id or self.post_id or ""


class MarketplacePayload(Contract):
    channel: Literal["marketplace"] = "marketplace"
    marketplace: Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[a-z0-9_.-]+$")]
    message_id: ExternalId
    order_id: ExternalId
    buyer_id: ExternalId
    buyer_name: ShortText | None = None
    subject: ShortText = ""
    text: BodyText = Field(min_length=1, description="The buyer's message.")
    sent_at: UtcDatetime
    reply_deadline: UtcDatetime | None = Field(
        default=None, description="The marketplace's own deadline for the seller's reply."
    )
    order_value: Decimal | None = Field(default=None, ge=0)
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None


InboundPayload = EmailPayload | ChatPayload | PhonePayload | SocialPayload | MarketplacePayload


class CsatPayload(Contract):
    """A customer's answer to a satisfaction survey (``inbound.csat``): not a message to
    route but a rating of the service on a ticket the survey link named."""

    source: Literal["csat"] = "csat"
    survey_id: ExternalId = Field(description="The survey tool's id of this answer.")
    ticket_id: Annotated[str, Field(min_length=1, max_length=64)]
    score: int = Field(ge=1, le=5, description="CSAT: 1 very dissatisfied, 5 very satisfied.")
    comment: Annotated[str, Field(max_length=2_000)] = ""
    submitted_at: UtcDatetime


PAYLOAD_BY_CHANNEL: dict[Channel, type[InboundPayload]] = {
    Channel.EMAIL: EmailPayload,
    Channel.CHAT: ChatPayload,
    Channel.PHONE: PhonePayload,
    Channel.SOCIAL: SocialPayload,
    Channel.MARKETPLACE: MarketplacePayload,
}
