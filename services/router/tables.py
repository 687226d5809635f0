"""The topic the router mirrors besides its own changelog: ``teams`` (run-time capacity);
and dead-lettering its bad records exactly once.

Every router instance mirrors these topics, so every instance sees a bad record.
Only the owner of ``tickets`` partition 0 writes it to the dead-letter topic, in a
transaction of that partition together with a mark in its changelog (the last
offset dead-lettered), so the record is written once, also across restarts and
rebalances.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from plumbing.deadletter import dead_letter
from plumbing.logging import get_logger
from plumbing.processor import Step
from schemas.teams import TEAM_EVENT, TeamCapacity
from schemas.topics import dlq_name
from services.router.domain.registry import Registry
from services.router.domain.state import DLQ_MARK_PREFIX, DeadLetterMark, RouterRecord

log = get_logger(__name__)

#: Bad records remembered for dead-lettering, per topic; older ones are dropped first.
_WAITING_LIMIT = 1_000


class UnknownTeamError(ValueError):
    pass


def capacity_decoder(registry: Registry) -> Callable[[bytes], TeamCapacity]:
    def decode(data: bytes) -> TeamCapacity:
        record = TEAM_EVENT.validate_json(data)
        if record.team_id not in registry.by_id:
            raise UnknownTeamError(f"team {record.team_id!r} is not in the team registry")
        return record

    return decode


@dataclass(frozen=True)
class _BadRecord:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    kind: str
    error: str


@dataclass
class TableDeadLetters:
    """Collects bad table records; ``__call__`` is the partition-0 transaction that writes
    the ones not yet dead-lettered."""

    service: str
    count_invalid: Callable[[str], None]
    _waiting: list[_BadRecord] = field(default_factory=list)
    _in_flight: list[_BadRecord] = field(default_factory=list)

    def on_invalid(self, record: Any, error: Exception) -> None:
        kind = "unknown_team" if isinstance(error, UnknownTeamError) else "schema_violation"
        self.count_invalid(record.topic)
        self._waiting.append(
            _BadRecord(
                record.topic,
                record.partition,
                record.offset,
                record.key,
                record.value,
                kind,
                str(error),
            )
        )
        del self._waiting[:-_WAITING_LIMIT]

    @property
    def has_work(self) -> bool:
        return bool(self._waiting)

    def __call__(self, step: Step[RouterRecord]) -> None:
        self._in_flight = list(self._waiting)
        marks: dict[str, DeadLetterMark] = {}
        for bad in self._in_flight:
            key = f"{DLQ_MARK_PREFIX}{bad.topic}"
            mark = marks.get(key)
            if mark is None:
                stored = step.store.get(key)
                mark = stored if isinstance(stored, DeadLetterMark) else DeadLetterMark()
            if bad.offset <= mark.offsets.get(bad.partition, -1):
                continue
            letter = dead_letter(
                service=self.service,
                source_topic=bad.topic,
                partition=bad.partition,
                offset=bad.offset,
                key=bad.key,
                value=bad.value,
                error_kind=bad.kind,
                error=bad.error,
                now=step.now,
            )
            step.emit(dlq_name(bad.topic), letter.to_json_bytes(), key=bad.key)
            log.warning(
                "bad table record dead-lettered",
                topic=bad.topic,
                offset=bad.offset,
                reason=bad.kind,
                error=bad.error[:300],
            )
            marks[key] = DeadLetterMark(offsets={**mark.offsets, bad.partition: bad.offset})
        for key, mark in marks.items():
            step.store.put(key, mark)

    def committed(self) -> None:
        """The transaction with ``_in_flight`` committed: forget those records."""
        done = set(map(id, self._in_flight))
        self._waiting = [bad for bad in self._waiting if id(bad) not in done]
        self._in_flight = []
