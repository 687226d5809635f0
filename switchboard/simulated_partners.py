"""Outsourced partners for the demo: they work their offers through the partner API over
HTTP with keys minted for the run, exactly as a partner's own tooling would."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from schemas.base import TeamKind
from schemas.config import load_config
from services.router.partner_api.domain.keys import key_hash, mint_key

#: At the demo's speed a contract's 2-5 minute offer lasts a fraction of a real second;
#: partners get two simulated hours (a few real seconds) to accept.
DEMO_OFFER_TIMEOUT = "PT2H"


def demo_config(
    config: Path, out: Path, offer_timeout: str | None = DEMO_OFFER_TIMEOUT
) -> dict[str, str]:
    """A copy of ``config`` with an API key for every partner (and offers lasting
    ``offer_timeout``, or the contracts' own when None); returns each partner's key,
    which exists only in this process."""
    raw = yaml.safe_load(config.read_text())
    keys: dict[str, str] = {}
    access: dict[str, Any] = {}
    for team in load_config(config).teams:
        if team.kind is not TeamKind.PARTNER:
            continue
        keys[team.id] = mint_key()
        entry = raw.get("partner_api", {}).get("partners", {}).get(team.id, {})
        entry = {key: value for key, value in entry.items() if key != "webhook"}
        entry["keys"] = [{"id": f"{team.id}-demo", "sha256": key_hash(keys[team.id])}]
        access[team.id] = entry
    for team in raw["teams"]:
        if team.get("kind") == "partner" and offer_timeout is not None:
            team["contract"]["offer_accept_timeout"] = offer_timeout
    raw["partner_api"] = {**raw.get("partner_api", {}), "partners": access}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    load_config(out)
    return keys


@dataclass
class SimulatedPartners:
    """Each partner accepts its offers, answers and resolves them, through the API."""

    api_url: str
    keys: dict[str, str]
    actions: list[tuple[str, str, str]] = field(default_factory=list)  # partner, ticket, what
    #: Assignments read per poll (the API's page size, at most 100).
    page_size: int = 20

    async def work(self, seconds: float, stop: asyncio.Event | None = None) -> None:
        async with httpx.AsyncClient(base_url=self.api_url, timeout=10) as client:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + seconds
            while loop.time() < deadline and not (stop is not None and stop.is_set()):
                # Partners work side by side, as separate companies do.
                await asyncio.gather(
                    *(self._safe_shift(client, team_id, key) for team_id, key in self.keys.items())
                )
                await asyncio.sleep(0.2)

    async def _safe_shift(self, client: httpx.AsyncClient, team_id: str, key: str) -> None:
        with contextlib.suppress(httpx.HTTPError):
            await self._shift(client, team_id, key)

    async def _shift(self, client: httpx.AsyncClient, team_id: str, key: str) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        listed = await client.get(
            "/v1/assignments", params={"limit": self.page_size}, headers=headers
        )
        if listed.status_code != 200:
            return
        steps = {"offered": "accept", "accepted": "first-response", "responded": "resolve"}
        todo = [(a, steps[a["status"]]) for a in listed.json()["data"] if a["status"] in steps]

        async def act(assignment: dict[str, Any], step: str) -> None:
            done = await client.post(
                f"/v1/assignments/{assignment['id']}/{step}",
                headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
            )
            if done.status_code == 200:
                self.actions.append((team_id, assignment["ticket_id"], step))

        # Each agent works their own ticket: the calls go out together.
        await asyncio.gather(*(act(assignment, step) for assignment, step in todo))

    async def stats(self, day: str) -> dict[str, dict[str, Any]]:
        figures: dict[str, dict[str, Any]] = {}
        async with httpx.AsyncClient(base_url=self.api_url, timeout=10) as client:
            for team_id, key in self.keys.items():
                answer = await client.get(
                    "/v1/stats",
                    params={"from": day, "to": day},
                    headers={"Authorization": f"Bearer {key}"},
                )
                if answer.status_code == 200:
                    figures[team_id] = answer.json()["total"]
        return figures
