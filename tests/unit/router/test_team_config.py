"""The team registry in SWITCHBOARD_CONFIG: an invalid file fails with path, field and reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from schemas.config import ConfigError, load_config
from tests.conftest import SAMPLE_CONFIG


def sample() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(SAMPLE_CONFIG.read_text())
    return config


def write(tmp_path: Path, config: dict[str, Any]) -> Path:
    path = tmp_path / "switchboard.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def team(config: dict[str, Any], team_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in config["teams"] if t["id"] == team_id)
    return found


def test_the_sample_config_has_teams_in_several_zones_and_two_partners() -> None:
    config = load_config(SAMPLE_CONFIG)
    in_house = [t for t in config.teams if t.kind.value == "in_house"]
    partners = [t for t in config.teams if t.kind.value == "partner"]
    assert len(in_house) >= 3
    assert len(partners) >= 2
    assert len({t.hours.time_zone for t in in_house if t.hours}) >= 3
    assert len({t.cost_per_ticket for t in partners}) == len(partners)
    assert all(t.contract is not None for t in partners)
    assert config.outsourcing.share_limit < 1


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (
            lambda c: team(c, "tallinn-care")["hours"].update(time_zone="Europe/Talinn"),
            "teams.0.hours.time_zone",
            "unknown time zone 'Europe/Talinn'",
        ),
        (
            lambda c: team(c, "tallinn-care")["hours"]["weekly"].update(mon=["18:00-08:00"]),
            "teams.0.hours.weekly",
            "ends before it starts",
        ),
        (
            lambda c: team(c, "tallinn-care")["hours"]["weekly"].update(
                mon=["08:00-12:00", "11:00-14:00"]
            ),
            "teams.0.hours.weekly",
            "overlap",
        ),
        (
            lambda c: team(c, "tallinn-care")["hours"].update(holidays_country="XX"),
            "teams.0.hours",
            "no public holiday calendar",
        ),
        (
            lambda c: team(c, "nearshore-bpo").pop("contract"),
            "teams.3",
            "a partner needs a 'contract'",
        ),
        (
            lambda c: team(c, "warsaw-care").update(contract={"offer_accept_timeout": "PT1M"}),
            "teams.1",
            "only partners have a 'contract'",
        ),
        (
            lambda c: team(c, "manila-247")["contract"].update(minimum_daily_share=0.5),
            "(top level)",
            "partner contracts promise 60% of the daily tickets",
        ),
        (
            lambda c: team(c, "istanbul-contact")["contract"].update(daily_volume_cap=-1),
            "teams.5.contract.daily_volume_cap",
            "greater than or equal to 0",
        ),
        (
            lambda c: c["outsourcing"]["data_policy"].update(never_tiers=["gold"]),
            "outsourcing.data_policy.never_tiers.0",
            "Input should be",
        ),
    ],
)
def test_invalid_registry_fails_with_path_field_and_reason(
    tmp_path: Path, change: Any, where: str, reason: str
) -> None:
    config = sample()
    change(config)
    path = write(tmp_path, config)
    with pytest.raises(ConfigError) as failure:
        load_config(path)
    message = str(failure.value)
    assert str(path) in message
    assert f"  - {where}" in message
    assert reason in message


def test_capabilities_follow_from_channels() -> None:
    config = load_config(SAMPLE_CONFIG)
    assert "voice" in config.team("tallinn-care").all_capabilities  # works the phone
    assert "voice" not in config.team("warsaw-care").all_capabilities
    assert "marketplace" in config.team("warsaw-care").all_capabilities
