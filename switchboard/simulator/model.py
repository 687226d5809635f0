"""What the simulator produces: inbound messages with their ground truth."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from schemas.base import Channel, CustomerTier, UtcDatetime
from schemas.inbound import InboundPayload


class GroundTruth(BaseModel):
    """What the simulator knows about a message and Switchboard has to work out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    market: str
    timezone: str = Field(description="The customer's IANA time zone.")
    language: str = Field(description="ISO 639-1 code of the language the text is written in.")
    skill: str
    tier: CustomerTier
    customer_id: str = Field(description="The simulated person, the same on every channel.")
    conversation_id: str
    message_index: int = Field(ge=0, description="0 opens the conversation; 1.. follow it.")
    follow_up_of: str | None = Field(
        default=None, description="sim_id of the earlier message this one follows up."
    )
    is_duplicate: bool = False
    duplicate_of: str | None = Field(
        default=None, description="sim_id of the message this delivery repeats."
    )
    marketplace: str | None = None
    order_id: str | None = Field(default=None, description="The order the contact is about.")
    order_value: Decimal | None = None
    currency: str | None = None
    frustrated: bool = False
    shouting: bool = False
    typos: bool = False
    plain_letters: bool = Field(default=False, description="Typed without diacritics.")
    foreign_line: bool = Field(default=False, description="Has a line in another language.")


class SimMessage(BaseModel):
    """One delivery to ``inbound.<channel>``, at simulated time ``at``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sim_id: str = Field(description="Stable id of this delivery within the run.")
    at: UtcDatetime = Field(description="When the connector delivers it.")
    channel: Channel
    topic: str = Field(description="Logical topic name (without a deployment prefix).")
    key: str = Field(description="Suggested record key: the channel's own message id.")
    payload: Annotated[InboundPayload, Field(discriminator="channel")]
    truth: GroundTruth

    def payload_bytes(self) -> bytes:
        """The record value a connector would produce."""
        return self.payload.model_dump_json(by_alias=True, exclude_none=True).encode()
