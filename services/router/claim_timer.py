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
import itertools
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
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
from services.router.domain import claims, packing
from services.router.domain.state import TicketRoute
from services.router.holdings import ScanMark

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
    #: How many waiting tickets of one team a tick may check for leaving the team.
    give_up_checks: int = 256
    _give_up_marks: dict[str, ScanMark] = field(default_factory=dict, init=False)

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
        runs: list[tuple[int, list[tuple[str, Action]]]] = []
        partitions = sorted(owned)
        for team_id in sorted(self.desk.teams):
            if not self.desk.roster.tracked(team_id):
                continue
            for partition, key, action in self._team_actions(team_id, partitions, owned, now):
                if runs and runs[-1][0] == partition:
                    runs[-1][1].append((key, action))
                else:
                    runs.append((partition, [(key, action)]))
        for partition, keys in runs:
            await self.processor.transact(owned[partition], _Distribute(self.desk, keys))

    def _team_actions(
        self, team_id: str, partitions: list[int], owned: dict[int, TopicPartition], now: datetime
    ) -> list[tuple[int, str, Action]]:
        """The front of the team's queue goes to the agents with room, most urgent first;
        then the tickets the team cannot take in time may leave it. Only those are read:
        a queue of a Black Friday's hundreds of thousands is never walked whole."""
        desk = self.desk
        holdings = desk.holdings
        seats = desk.seats(team_id)
        planned: Counter[str] = Counter()
        actions: list[tuple[int, str, Action]] = []
        chosen: set[str] = set()
        for _, key, partition in holdings.waiting(team_id, partitions):
            seat = desk.choose(key, team_id, [_with(s, planned[s.agent_id]) for s in seats])
            if seat is None:  # nobody has room: nobody has for the tickets behind either
                break
            planned[seat.agent_id] += 1
            chosen.add(key)
            actions.append((partition, key, "assign"))
        online, wait = desk.give_up_terms(team_id, now)
        if online == 0:
            due: tuple[int, int | None] | None = None
        elif wait > 0:
            # claims.team_gives_up: a deadline still ahead, and nearer than the wait
            # (a superset: desk.team_gives_up below decides exactly).
            now_micros = packing.micros(now)
            until = None if math.isinf(wait) else now_micros + int(wait * 1_000_000) + 1
            due = (now_micros + 1, until)
        else:
            self._give_up_marks.pop(team_id, None)
            return actions
        for key, partition in self._give_up_candidates(team_id, partitions, due, chosen):
            store = self.processor.store(owned[partition])
            state = desk.router.ticket(store, key) if store is not None else None
            if state is not None and desk.team_gives_up(state, now) is not None:
                actions.append((partition, key, "give_up"))
        return actions

    def _give_up_candidates(
        self,
        team_id: str,
        partitions: list[int],
        due: tuple[int, int | None] | None,
        chosen: set[str],
    ) -> list[tuple[str, int]]:
        """At most ``give_up_checks`` of the tickets that may leave the team, resuming
        after the last one read on the previous tick and wrapping round. Each costs a
        decode and a routing decision, and a night with nobody online makes every
        waiting ticket one: read whole, a queue of 10^5 would block the event loop for
        seconds each tick (the group's session timeout is 10 s). Every candidate is still
        read within ceil(candidates / give_up_checks) ticks, and every tick when they are
        fewer."""
        holdings = self.desk.holdings
        start = self._give_up_marks.pop(team_id, None)
        passes: list[Iterable[tuple[ScanMark, str]]] = [
            holdings.scan(team_id, partitions, due, after=start)
        ]
        if start is not None:
            passes.append(
                itertools.takewhile(
                    lambda entry: entry[0] <= start, holdings.scan(team_id, partitions, due)
                )
            )
        taken: list[tuple[ScanMark, str]] = []
        for entries in passes:
            for mark, key in entries:
                if key in chosen:
                    continue
                if len(taken) >= self.give_up_checks:
                    self._give_up_marks[team_id] = taken[-1][0]
                    return [(key, mark[0]) for mark, key in taken]
                taken.append((mark, key))
        return [(key, mark[0]) for mark, key in taken]

    def refresh_gauges(self, owned: dict[int, TopicPartition]) -> None:
        desk, metrics = self.desk, self.desk.metrics
        mono = desk.monotonic()
        partitions = sorted(owned)
        for team_id in desk.teams:
            for standing, count in desk.roster.counts(team_id, mono).items():
                metrics.agents.labels(team_id, standing).set(count)
            metrics.waiting.labels(team_id).set(desk.holdings.waiting_count(team_id, partitions))
            holders = desk.holdings.holders(team_id)
            for agent in set(holders) | set(desk.roster.agents(team_id)):
                metrics.held.labels(team_id, agent).set(holders.get(agent, 0))


def _with(seat: claims.Seat, planned: int) -> claims.Seat:
    if not planned:
        return seat
    return claims.Seat(seat.agent_id, seat.standing, seat.held + planned, seat.limit, float("inf"))
