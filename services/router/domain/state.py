"""The router's memory of one ticket, kept in its changelog."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict


class RoutedTicket(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: Literal["assigned", "stalled"]
    team_id: str | None = None
    assignment_id: uuid.UUID | None = None
    attempt: int = 0
