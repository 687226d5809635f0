"""Simulated traffic as JSON Lines: one message per line, in delivery order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from switchboard.simulator.model import SimMessage


def to_line(message: SimMessage) -> str:
    """One line: sim time, channel, topic, key, the payload as sent, the ground truth.
    ``None`` fields are left out, so the payload is byte for byte what a connector sends."""
    return message.model_dump_json(by_alias=True, exclude_none=True)


def write_jsonl(messages: Iterable[SimMessage], path: Path) -> int:
    """Write ``messages`` to ``path``; returns how many were written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for message in messages:
            out.write(to_line(message))
            out.write("\n")
            count += 1
    return count


def read_jsonl(path: Path) -> Iterator[SimMessage]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield SimMessage.model_validate_json(line)
