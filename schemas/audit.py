"""``partner.audit``: every action a partner took through the assignment API."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.base import Event


class PartnerAction(Event):
    type: Literal["partner.action"] = "partner.action"
    partner_id: str
    key_id: str = Field(description="Id of the API key used (never the key).")
    action: str = Field(description="e.g. 'accept', 'resolve', 'list_assignments'.")
    method: str
    path: str
    ticket_id: str | None = None
    status_code: int
    outcome: str = Field(description="'ok', or the reason it was refused.")
    request_id: str
    idempotency_key: str | None = None
