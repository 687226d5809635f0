"""The claims' timer: what presence and time do to the in-house queues.

Per owned partition, when woken (presence, holdings or queue changed) or at least every
tick:

1. held tickets go back to the team's queue when their agent logged out, its heartbeat
   stopped (judged only after a read barrier on the presence mirror, so a mirror that
   lags never takes a live agent for gone) or it has not answered within the team's
   ``respond_within``; only once the partition's input is read (a first response
   waiting in it would otherwise be missed);
2. waiting tickets go, most urgent first across the owned partitions, to the online
   agents with room by the team's distribution; a waiting ticket the team cannot take
   in time (nobody online, or its predicted wait beyond the deadline) leaves the team
   and is routed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from aiokafka import TopicPartition

from plumbing.clock import Clock
from plumbing.lockstep import TimerBeat
from plumbing.logging import get_logger
from plumbing.processor import Step, TransactionalProcessor
from plumbing.table import GlobalTable
from schemas.tickets import UnclaimReason
from services.router.changelog import RouterRecord
from services.router.claims import ClaimDesk
from services.router.domain import claims
from services.router.domain.state import TicketRoute

log = get_logger(__name__)

_COALESCE_SECONDS = 0.02
_BARRIER_SECONDS = 2.0

Action = Literal["assign", "give_up"]


def _restoring(desk: ClaimDesk, step: Step[RouterRecord], work: Callable[[], None]) -> None:
    """Claims' timer work: what it wrote can be undone, and on an exception the step is
    undone and the partition's indexes rebuilt (as ``handlers.RestoreOnFailure``)."""
    router = desk.router
    router.begin()
    try:
        work()
    except Exception:
        step.store.record_rollback()
        step.outputs.clear()
        router.partition_ready(step.partition, step.store, step.now)
        raise


@dataclass
class _Returns:
    desk: ClaimDesk
    keys: list[str]
    lost_confirmed: bool

    def __call__(self, step: Step[RouterRecord]) -> None:
        _restoring(self.desk, step, lambda: self._work(step))

    def _work(self, step: Step[RouterRecord]) -> None:
        desk = self.desk
        for key in self.keys:
            state = desk.router.ticket(step.store, key)
            reason = _return_reason(desk, state, step.now, self.lost_confirmed)
            if state is not None and reason is not None:
                desk.release(step, key, state, reason)


@dataclass
class _Distribute:
    desk: ClaimDesk
    keys: list[tuple[str, Action]]

    def __call__(self, step: Step[RouterRecord]) -> None:
        _restoring(self.desk, step, lambda: self._work(step))

    def _work(self, step: Step[RouterRecord]) -> None:
        desk = self.desk
        for key, action in self.keys:
            state = desk.router.ticket(step.store, key)
            if not _waiting(state):
                continue
            assert state is not None
            assert state.team_id is not None
            if action == "give_up":
                reason = desk.team_gives_up(state, step.now)
                if reason is not None:
                    desk.give_up(step, key, state, reason)
                continue
            seat = desk.choose(key, state.team_id, desk.seats(state.team_id))
            if seat is not None:
                distribution = desk.teams[state.team_id].claims.distribution
                desk.grant(step, key, state, seat, distribution)


def _waiting(state: TicketRoute | None) -> bool:
    return state is not None and state.status == "queued" and state.hold is None


def _return_reason(
    desk: ClaimDesk, state: TicketRoute | None, now: datetime, lost_confirmed: bool
) -> UnclaimReason | None:
    if state is None or state.hold is None or state.team_id not in desk.teams:
        return None
    assert state.team_id is not None
    standing = desk.roster.standing(state.team_id, state.hold.agent_id, desk.monotonic())
    reason = claims.return_reason(
        state, standing, now, desk.teams[state.team_id].claims.respond_within
    )
    if reason == "agent_offline" and not lost_confirmed:
        return None
    return reason


@dataclass
class ClaimTimer:
    desk: ClaimDesk
    processor: TransactionalProcessor[RouterRecord]
    presence: GlobalTable[object]
    clock: Clock
    wake: asyncio.Event
    tick_seconds: float
    #: Under a lockstep clock a round settles only after a tick begun in it completed.
    beat: TimerBeat | None = None

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.tick_seconds)
            self.wake.clear()
            started = time.monotonic()
            try:
                await self.tick(self.clock.now())
                if self.beat is not None:
                    self.beat.passed(started)
            except Exception:
                log.exception("claims timer failed; retrying on the next tick")
            await asyncio.sleep(max(_COALESCE_SECONDS, 4 * (time.monotonic() - started)))

    async def tick(self, now: datetime) -> None:
        desk = self.desk
        for team_id in desk.presence_moved():
            desk.router.book.team_changed(team_id)
        owned = {tp.partition: tp for tp in self.processor.owned_partitions()}
        await self._returns(owned, now)
        await self._distribute(owned, now)
        self.refresh_gauges(owned)

    async def _returns(self, owned: dict[int, TopicPartition], now: datetime) -> None:
        desk = self.desk
        due: dict[int, list[str]] = {}
        lost = False
        mono = desk.monotonic()
        for partition in owned:
            for key, (team_id, hold, answered) in desk.holdings.held_in(partition).items():
                if team_id not in desk.teams:
                    continue
                standing = desk.roster.standing(team_id, hold.agent_id, mono)
                respond_within = desk.teams[team_id].claims.respond_within
                quiet = not answered and now - hold.since >= respond_within
                if standing in ("offline", "lost") or quiet:
                    due.setdefault(partition, []).append(key)
                    lost = lost or standing == "lost"
        if not due:
            return
        # A stopped heartbeat is judged on a mirror read up to now, never on one that lags.
        confirmed = lost and await self.presence.sync(_BARRIER_SECONDS)
        for partition, keys in due.items():
            tp = owned[partition]
            if await self.processor.caught_up(tp):
                await self.processor.transact(tp, _Returns(desk, keys, confirmed))

    async def _distribute(self, owned: dict[int, TopicPartition], now: datetime) -> None:
        desk = self.desk
        planned: Counter[tuple[str, str]] = Counter()
        runs: list[tuple[int, list[tuple[str, Action]]]] = []
        seats_by_team: dict[str, list[claims.Seat]] = {}
        for partition, key, team_id in desk.holdings.waiting(sorted(owned)):
            if team_id not in desk.teams or not desk.roster.tracked(team_id):
                continue
            if team_id not in seats_by_team:
                seats_by_team[team_id] = desk.seats(team_id)
            seats = [
                _with(seat, planned[(team_id, seat.agent_id)]) for seat in seats_by_team[team_id]
            ]
            seat = desk.choose(key, team_id, seats)
            action: Action | None = None
            if seat is not None:
                planned[(team_id, seat.agent_id)] += 1
                action = "assign"
            else:
                store = self.processor.store(owned[partition])
                state = desk.router.ticket(store, key) if store is not None else None
                if state is not None and desk.team_gives_up(state, now) is not None:
                    action = "give_up"
            if action is None:
                continue
            if runs and runs[-1][0] == partition:
                runs[-1][1].append((key, action))
            else:
                runs.append((partition, [(key, action)]))
        for partition, keys in runs:
            await self.processor.transact(owned[partition], _Distribute(desk, keys))

    def refresh_gauges(self, owned: dict[int, TopicPartition]) -> None:
        desk, metrics = self.desk, self.desk.metrics
        mono = desk.monotonic()
        waiting: Counter[str] = Counter(team for _, _, team in desk.holdings.waiting(sorted(owned)))
        for team_id in desk.teams:
            for standing, count in desk.roster.counts(team_id, mono).items():
                metrics.agents.labels(team_id, standing).set(count)
            metrics.waiting.labels(team_id).set(waiting.get(team_id, 0))
            holders = desk.holdings.holders(team_id)
            for agent in set(holders) | set(desk.roster.agents(team_id)):
                metrics.held.labels(team_id, agent).set(holders.get(agent, 0))


def _with(seat: claims.Seat, planned: int) -> claims.Seat:
    if not planned:
        return seat
    return claims.Seat(seat.agent_id, seat.standing, seat.held + planned, seat.limit, float("inf"))
