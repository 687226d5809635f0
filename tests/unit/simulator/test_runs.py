"""Runs repeat exactly with the seed, hold their invariants for any range, and the
command prints and writes what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.base import Channel
from schemas.inbound import PAYLOAD_BY_CHANNEL
from switchboard.cli import main
from switchboard.simulator import (
    SimMessage,
    TrafficParams,
    day_range,
    generate_traffic,
    read_jsonl,
    write_jsonl,
)
from switchboard.simulator.jsonl import to_line
from tests.conftest import REPO_ROOT

SMALL = TrafficParams(baseline_contacts_per_day=60)


def small_run(seed: int, first: date, days: int = 1) -> tuple[list[SimMessage], datetime, datetime]:
    start, end = day_range(first, first + timedelta(days=days - 1), SMALL.shop_timezone)
    return generate_traffic(start, end, seed=seed, params=SMALL), start, end


def test_the_same_seed_gives_the_same_lines_and_another_seed_does_not() -> None:
    first = [to_line(m) for m in small_run(7, date(2026, 11, 27))[0]]
    again = [to_line(m) for m in small_run(7, date(2026, 11, 27))[0]]
    other = [to_line(m) for m in small_run(8, date(2026, 11, 27))[0]]
    assert first == again
    assert first != other
    assert not {line.split('"payload"')[1] for line in first} & {
        line.split('"payload"')[1] for line in other
    }


def test_jsonl_round_trips(tmp_path: Path) -> None:
    messages = small_run(3, date(2026, 11, 30))[0]
    path = tmp_path / "week.jsonl"
    assert write_jsonl(messages, path) == len(messages)
    assert list(read_jsonl(path)) == messages
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(messages)


def test_separate_processes_write_byte_identical_files(tmp_path: Path) -> None:
    """Nothing may depend on per-process hash seeds, dict order of sets, or the clock."""
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"run-{hash_seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-m", "switchboard.cli", "simulate", "--from", "2026-11-27",
             "--to", "2026-11-27", "--baseline", "80", "--seed", "9", "--out", str(out)],
            check=True, cwd=REPO_ROOT, env=env, capture_output=True,
        )  # fmt: skip
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 500


def test_the_command_prints_the_summary_and_writes_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bf.jsonl"
    code = main(
        ["simulate", "--from", "2026-11-26", "--to", "2026-11-27", "--baseline", "100",
         "--seed", "4", "--out", str(out)]
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    assert "Thu 26 Nov" in printed
    assert "Fri 27 Nov" in printed
    assert "Peak day Fri 27 Nov" in printed
    for channel in Channel:
        assert channel.value in printed
    for language in ("et", "lv", "lt", "fi", "pl", "cs", "tr", "de", "en"):
        assert f" {language} " in printed
    lines = out.read_text(encoding="utf-8").splitlines()
    assert f"wrote {len(lines):,} messages" in printed
    first = SimMessage.model_validate_json(lines[0])
    assert first.at >= datetime(2026, 11, 25, 22, tzinfo=UTC)


def test_the_command_refuses_a_backwards_range(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--from", "2026-12-01", "--to", "2026-11-30"]) == 2
    assert "before it starts" in capsys.readouterr().err


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    days=st.integers(min_value=1, max_value=3),
)
def test_any_range_and_seed_keeps_the_invariants(seed: int, first: date, days: int) -> None:
    messages, start, end = small_run(seed, first, days)
    by_id = {message.sim_id: message for message in messages}
    assert len(by_id) == len(messages)
    assert [m.at for m in messages] == sorted(m.at for m in messages)
    for message in messages:
        assert start <= message.at < end
        PAYLOAD_BY_CHANNEL[message.channel].model_validate_json(message.payload_bytes())
        if message.truth.is_duplicate:
            original = by_id[message.truth.duplicate_of or ""]
            assert original.payload_bytes() == message.payload_bytes()
            assert original.at < message.at
        elif message.truth.follow_up_of is not None:
            earlier = by_id[message.truth.follow_up_of]
            assert earlier.at < message.at
            assert earlier.channel == message.channel
            assert earlier.truth.customer_id == message.truth.customer_id
        else:
            assert message.truth.message_index == 0
