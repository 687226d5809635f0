"""What the demo plays: the desk scaled like the traffic, options checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from schemas.base import TeamKind
from schemas.config import load_config
from switchboard.demo.plan import DEMO_RATE_LIMIT, DemoOptions, build_plan, scaled_config
from tests.conftest import SAMPLE_CONFIG

RAW = yaml.safe_load(SAMPLE_CONFIG.read_text())


@given(st.floats(0.01, 2.0))
def test_headcount_and_caps_scale_with_the_traffic_and_never_reach_zero(scale: float) -> None:
    scaled = scaled_config(RAW, scale)
    for before, after in zip(RAW["teams"], scaled["teams"], strict=True):
        assert after["agents"] >= 1
        assert abs(after["agents"] - before["agents"] * scale) <= max(
            0.5, 1 - before["agents"] * scale
        )
        cap = (before.get("contract") or {}).get("daily_volume_cap")
        if cap is not None:
            assert after["contract"]["daily_volume_cap"] >= 1
    assert RAW["teams"][0]["agents"] == 8  # the input is left alone


def test_the_scaled_config_is_valid_and_partners_may_call_faster(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(scaled_config(RAW, 0.1)))
    config = load_config(path)
    partners = [t for t in config.teams if t.kind is TeamKind.PARTNER]
    assert partners
    for team in partners:
        assert config.partner_api.partners[team.id].rate_limit == DEMO_RATE_LIMIT


def test_options_are_checked() -> None:
    with pytest.raises(ValueError, match="days"):
        DemoOptions(days=0)
    with pytest.raises(ValueError, match="speed"):
        DemoOptions(speed=0)
    with pytest.raises(ValueError, match="volume"):
        DemoOptions(volume_scale=0)
    assert DemoOptions(first_day=date(2026, 11, 27), days=3).last_day == date(2026, 11, 29)


def test_a_plan_is_the_seeded_traffic_of_its_days(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(scaled_config(RAW, 0.1)))
    options = DemoOptions(first_day=date(2026, 11, 27), days=1, volume_scale=0.1, seed=7)
    plan = build_plan(options, path)
    again = build_plan(options, path)
    assert [m.sim_id for m in plan.messages] == [m.sim_id for m in again.messages]
    assert plan.messages
    assert all(plan.start <= m.at < plan.end for m in plan.messages)
    assert all(plan.start <= c.occurred_at < plan.end for c in plan.capacity)
    assert {c.team_id for c in plan.capacity} == {"nearshore-bpo", "manila-247", "istanbul-contact"}
    assert len(plan.bad_inputs) == 3
