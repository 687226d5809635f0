from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from schemas.tickets import TicketAssigned
from tests.support.partner_api import MANILA_KEY, RIGA_KEY, LocalApi, local_api
from tests.support.partner_events import NOW, OTHER_PARTNER, PARTNER, offered, opened


@dataclass
class Partner:
    """One partner's HTTP client."""

    client: httpx.AsyncClient
    key: str

    def headers(self, idempotency_key: str | None = None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.key}", **extra}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.headers())

    async def post(
        self, path: str, body: Any = None, key: str | None = None, **headers: str
    ) -> httpx.Response:
        return await self.client.post(
            path,
            json=body,
            headers=self.headers(key or uuid.uuid4().hex, **headers),
        )


@dataclass
class Desk:
    local: LocalApi
    riga: Partner
    manila: Partner
    anonymous: httpx.AsyncClient

    def offer(self, ticket_id: str, team_id: str = PARTNER, **opened_fields: Any) -> TicketAssigned:
        """A ticket opened and offered to ``team_id`` now."""
        now = self.local.clock.now()
        assigned = offered(ticket_id, team_id=team_id, at=now)
        self.local.pipeline.feed(opened(ticket_id, at=now, **opened_fields), assigned)
        return assigned


@pytest.fixture
def local() -> LocalApi:
    return local_api()


@pytest.fixture
async def desk(local: LocalApi) -> AsyncIterator[Desk]:
    transport = httpx.ASGITransport(app=local.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield Desk(local, Partner(client, RIGA_KEY), Partner(client, MANILA_KEY), client)


__all__ = ["NOW", "OTHER_PARTNER", "PARTNER"]
