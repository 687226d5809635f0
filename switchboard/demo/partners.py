"""The outsourced partners of the lockstep demo, working through the partner API.

Each partner behaves as the desk engine's partners do (``bench/desk``), so that the
services' run and the engine can be compared ticket by ticket: it answers each offer as
``Workforce.partner_decision`` says (accept or reject after a delay, or never), its
agents take accepted tickets first come first served while a slot is free and the team
is open (``TeamDesk``: slots are the announced agents x tickets each works at once),
send the first response after ``Workforce.first_response_delay`` and resolve after the
handle time. Every action is an HTTP call to the partner API with the partner's key,
made at the step in which it falls due; the API stamps it with the services' clock.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from bench.desk.teams import TeamDesk
from schemas.base import Channel
from schemas.config import SwitchboardConfig
from schemas.teams import TeamCapacity
from services.router.domain.registry import Registry, TeamProfile
from switchboard.simulator import Workforce

PAGE = 100
#: HTTP statuses worth a retry (with the same idempotency key): rate limit, busy.
RETRY_STATUSES = (429, 503)


@dataclass
class Offer:
    assignment_id: str
    ticket_id: str
    channel: Channel
    skill: str
    attempt: int
    answer: str  # accept, reject or ignore
    answer_at: datetime | None
    #: When the router withdraws it unanswered (the contract's offer timeout).
    expires_at: datetime
    reason: str | None = None


@dataclass
class Work:
    """An accepted ticket an agent has started."""

    assignment_id: str
    ticket_id: str
    respond_at: datetime | None
    resolve_at: datetime


@dataclass
class PartnerCounters:
    offers: int = 0
    accepted: int = 0
    rejected: int = 0
    ignored: int = 0
    answered: int = 0
    resolved: int = 0
    refused: int = 0  # the API said no (the offer expired, the ticket moved on)


@dataclass
class Partner:
    team: TeamProfile
    key: str
    line: TeamDesk
    offers: dict[str, Offer] = field(default_factory=dict)  # seen, not yet answered
    held: dict[str, Offer] = field(default_factory=dict)  # accepted: in line or worked
    work: dict[str, Work] = field(default_factory=dict)  # ticket id -> started work
    live: set[str] = field(default_factory=set)  # assignment ids the API lists as live
    counters: PartnerCounters = field(default_factory=PartnerCounters)


@dataclass
class LockstepPartners:
    api_url: str
    keys: dict[str, str]
    config: SwitchboardConfig
    workforce: Workforce
    now: Callable[[], datetime]  # the stepped clock's ``now``
    partners: dict[str, Partner] = field(default_factory=dict)
    _client: httpx.AsyncClient | None = None

    def __post_init__(self) -> None:
        registry = Registry(self.config.teams, self.config.outsourcing)
        for team in registry.teams:
            if team.partner and team.id in self.keys:
                self.partners[team.id] = Partner(team, self.keys[team.id], TeamDesk(team))

    async def start(self) -> None:
        self._client = httpx.AsyncClient(base_url=self.api_url, timeout=30)

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    # -- what the world tells them ------------------------------------------------------
    def capacity(self, announcement: TeamCapacity) -> None:
        """The partner's own staffing (it announced it): its slots from now."""
        partner = self.partners.get(announcement.team_id)
        if partner is not None:
            agents = announcement.agents_on_shift if announcement.online else 0
            partner.line.slots = agents * partner.team.concurrency

    def next_due(self) -> datetime | None:
        """The next instant at which a partner has something to do, or an offer of its
        times out (the router then routes the ticket again)."""
        moments: list[datetime] = []
        for partner in self.partners.values():
            moments += [o.answer_at or o.expires_at for o in partner.offers.values()]
            for work in partner.work.values():
                moments.append(work.respond_at or work.resolve_at)
            if partner.line.waiting and not partner.team.hours.always_open:
                moments.append(partner.team.hours.state_at(self.now()).until)
        return min(moments, default=None)

    # -- a step -----------------------------------------------------------------------
    async def react(self) -> bool:
        """Read each partner's assignments, then do what fell due; True if one acted."""
        results = await asyncio.gather(*(self._partner(p) for p in self.partners.values()))
        return any(results)

    async def _partner(self, partner: Partner) -> bool:
        listed = await self._live(partner)
        if listed is None:
            return True  # the API did not answer: look again in the next round
        self._notice(partner, listed)
        return await self._act(partner)

    async def _live(self, partner: Partner) -> list[dict[str, Any]] | None:
        assert self._client is not None
        headers = {"Authorization": f"Bearer {partner.key}"}
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if cursor:
                params["cursor"] = cursor
            try:
                answer = await self._client.get("/v1/assignments", params=params, headers=headers)
            except httpx.HTTPError:
                return None
            if answer.status_code != 200:
                return None
            body = answer.json()
            found += body["data"]
            cursor = body.get("next_cursor")
            if not body.get("has_more") or not cursor:
                return found

    def _notice(self, partner: Partner, listed: list[dict[str, Any]]) -> None:
        """New offers get their answer; assignments no longer live are forgotten."""
        partner.live = {a["id"] for a in listed}
        known = {*partner.offers, *partner.held}
        before = sum(1 for a in listed if a["id"] in known)
        slots = max(1, partner.line.slots)
        for assignment in listed:
            if assignment["status"] != "offered" or assignment["id"] in known:
                continue
            offered_at = datetime.fromisoformat(assignment["offered_at"])
            decision = self.workforce.partner_decision(
                assignment["ticket_id"],
                partner.team.id,
                language=assignment["language"] or "und",
                skill=assignment["skill"] or "",
                proficiency=partner.team.skills.get(assignment["skill"] or "", 0.0),
                load=before / slots,
                attempt=assignment["attempt"],
            )
            before += 1
            in_time = decision.after is not None and decision.after < partner.team.offer_timeout
            partner.offers[assignment["id"]] = Offer(
                assignment_id=assignment["id"],
                ticket_id=assignment["ticket_id"],
                channel=Channel(assignment["channel"]),
                skill=assignment["skill"] or "",
                attempt=assignment["attempt"],
                answer=decision.outcome if in_time else "ignore",
                answer_at=offered_at + decision.after if in_time and decision.after else None,
                expires_at=offered_at + partner.team.offer_timeout,
                reason=decision.reason,
            )
            partner.counters.offers += 1
            partner.counters.ignored += not in_time
        for gone in [a for a in partner.offers if a not in partner.live]:
            del partner.offers[gone]  # expired or withdrawn before its answer
        for gone in [a for a in partner.held if a not in partner.live]:
            offer = partner.held.pop(gone)
            partner.line.withdraw(offer.ticket_id)
            if partner.work.pop(offer.ticket_id, None) is not None:
                partner.line.finish(offer.ticket_id)

    async def _act(self, partner: Partner) -> bool:
        now = self.now()
        calls: list[asyncio.Future[bool]] = []
        for offer in [o for o in partner.offers.values() if o.answer_at and o.answer_at <= now]:
            del partner.offers[offer.assignment_id]
            calls.append(asyncio.ensure_future(self._answer(partner, offer)))
        acted = bool(calls)
        for done in await asyncio.gather(*calls):
            acted = acted or done
        self._start(partner, now)
        steps: list[asyncio.Future[None]] = []
        for work in list(partner.work.values()):
            if work.respond_at is not None and work.respond_at <= now:
                work.respond_at = None
                steps.append(asyncio.ensure_future(self._respond(partner, work)))
            elif work.respond_at is None and work.resolve_at <= now:
                steps.append(asyncio.ensure_future(self._resolve(partner, work)))
        await asyncio.gather(*steps)
        self._start(partner, now)
        return acted or bool(steps)

    def _start(self, partner: Partner, now: datetime) -> None:
        for ticket_id in partner.line.start_what_can(now):
            offer = next(o for o in partner.held.values() if o.ticket_id == ticket_id)
            reply = self.workforce.first_response_delay(
                ticket_id, offer.channel, attempt=offer.attempt
            )
            handle = self.workforce.handle_time(
                ticket_id,
                offer.channel,
                offer.skill,
                team_kind=partner.team.kind,
                attempt=offer.attempt,
            )
            partner.work[ticket_id] = Work(
                offer.assignment_id, ticket_id, now + reply, now + max(handle, reply)
            )

    async def _answer(self, partner: Partner, offer: Offer) -> bool:
        if offer.answer == "accept":
            if await self._post(partner, offer.assignment_id, "accept", None):
                partner.held[offer.assignment_id] = offer
                partner.line.hand_over(offer.ticket_id)
                partner.counters.accepted += 1
            return True
        if offer.answer == "reject":
            body = {"reason": offer.reason or "declined"}
            if await self._post(partner, offer.assignment_id, "reject", body):
                partner.counters.rejected += 1
            return True
        return False

    async def _respond(self, partner: Partner, work: Work) -> None:
        if await self._post(partner, work.assignment_id, "first-response", None):
            partner.counters.answered += 1

    async def _resolve(self, partner: Partner, work: Work) -> None:
        partner.work.pop(work.ticket_id, None)
        partner.line.finish(work.ticket_id)
        partner.held.pop(work.assignment_id, None)
        body = {"resolution": "resolved by the simulated partner"}
        if await self._post(partner, work.assignment_id, "resolve", body):
            partner.counters.resolved += 1

    async def _post(
        self, partner: Partner, assignment_id: str, step: str, body: dict[str, Any] | None
    ) -> bool:
        """One action, retried with the same idempotency key while the API is busy."""
        assert self._client is not None
        headers = {
            "Authorization": f"Bearer {partner.key}",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        for attempt in range(20):
            try:
                answer = await self._client.post(
                    f"/v1/assignments/{assignment_id}/{step}", json=body, headers=headers
                )
            except httpx.HTTPError:
                await asyncio.sleep(0.1 * (attempt + 1))
                continue
            if answer.status_code == 200:
                return True
            if answer.status_code not in RETRY_STATUSES:
                partner.counters.refused += 1
                return False
            await asyncio.sleep(float(answer.headers.get("Retry-After", "0.1")))
        partner.counters.refused += 1
        return False

    def counters(self) -> dict[str, PartnerCounters]:
        return {team_id: p.counters for team_id, p in self.partners.items()}
