"""Customer identity as ingest establishes it, and the ``customers`` lookup topic."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Contract, CustomerTier, Event


class Customer(Contract):
    """Who wrote. ``customer_key`` is pseudonymous and stable: a hash of the
    channel identity, never the identity itself."""

    customer_key: str = Field(min_length=1, max_length=128)
    name: str | None = Field(default=None, max_length=256)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=32)
    handle: str | None = Field(default=None, max_length=160)
    tier: CustomerTier = CustomerTier.STANDARD


class CustomerProfile(Event):
    """Latest known profile of a customer (compacted topic ``customers``, key = customer key)."""

    type: Literal["customer.profile"] = "customer.profile"
    customer_key: str = Field(min_length=1, max_length=128)
    tier: CustomerTier
    lifetime_orders: int | None = Field(default=None, ge=0)
