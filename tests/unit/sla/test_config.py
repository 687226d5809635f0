"""SLA policies in SWITCHBOARD_CONFIG: what is refused at start (with the place and the
reason), and which policy a ticket gets, in and out of a season."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemas.base import Channel, CustomerTier, Priority
from schemas.config import ConfigError, load_config
from schemas.config.sla import SlaConfig
from tests.conftest import SAMPLE_CONFIG


def sla(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "calendars": {"office": {"timezone": "Europe/Tallinn", "weekly": {"mon": ["09:00-17:00"]}}},
        "policies": [
            {"id": "chat", "match": {"channels": ["chat"]}, "first_response": "PT2M"},
            {"id": "default", "first_response": "PT4H", "business_hours": "office"},
        ],
    }
    config.update(overrides)
    return config


def load(tmp_path: Path, sla_section: dict[str, Any]) -> None:
    document = yaml.safe_load(SAMPLE_CONFIG.read_text())
    document["sla"] = sla_section
    path = tmp_path / "switchboard.yaml"
    path.write_text(yaml.safe_dump(document))
    load_config(path)


def calendar(**fields: Any) -> dict[str, Any]:
    return {"office": {"timezone": "Europe/Tallinn", "weekly": {"mon": ["09:00-17:00"]}} | fields}


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (sla(calendars=calendar(timezone="Mars/Olympus")), "unknown time zone 'Mars/Olympus'"),
        (sla(calendars=calendar(weekly={"mon": ["9-17"]})), "not a shift like"),
        (sla(calendars=calendar(weekly={"mon": ["09:00-25:00"]})), "does not exist"),
        (sla(calendars=calendar(weekly={"mon": ["09:00-09:00"]})), "00:00-24:00"),
        (
            sla(calendars=calendar(weekly={"mon": ["09:00-13:00", "12:00-17:00"]})),
            "shifts 'mon 09:00-13:00' and 'mon 12:00-17:00' overlap",
        ),
        (
            sla(calendars=calendar(weekly={"sun": ["20:00-04:00"], "mon": ["03:00-09:00"]})),
            "overlap",  # Sunday's night shift runs into Monday
        ),
        (sla(calendars=calendar(weekly={})), "at least one shift"),
        (sla(calendars=calendar(holidays={"country": "XX"})), "no country 'XX'"),
        (
            sla(calendars=calendar(holidays={"country": "DE", "subdivision": "ZZ"})),
            "no subdivision 'ZZ' of DE",
        ),
        (
            sla(policies=[{"id": "x", "first_response": "PT1H", "business_hours": "nope"}]),
            "business_hours 'nope', which is not under sla.calendars",
        ),
        (
            sla(policies=[{"id": "x", "first_response": "PT1H"}] * 2),
            "policy id 'x' is used twice",
        ),
        (sla(policies=[{"id": "x", "first_response": "P60D"}]), "longer than 45 days"),
        (sla(policies=[{"id": "x", "first_response": "PT0S"}]), "greater than 0"),
        (sla(policies=[]), "at least 1 item"),
        (sla(at_risk_share=1.0), "less than 1"),
        (
            sla(
                seasons=[
                    {
                        "id": "bf",
                        "starts": "2026-11-30",
                        "ends": "2026-11-23",
                        "policies": [{"id": "bf-email", "first_response": "PT8H"}],
                    }
                ]
            ),
            "ends (2026-11-23) before it starts",
        ),
        (
            sla(
                seasons=[
                    {
                        "id": season,
                        "starts": starts,
                        "ends": ends,
                        "policies": [{"id": f"{season}-p", "first_response": "PT8H"}],
                    }
                    for season, starts, ends in (
                        ("bf", "2026-11-23", "2026-11-30"),
                        ("xmas", "2026-11-30", "2027-01-03"),
                    )
                ]
            ),
            "seasons 'bf' and 'xmas' overlap",
        ),
        (
            sla(forecast={"arrival_window": "PT2H", "baseline_window": "PT1H"}),
            "baseline_window must be longer",
        ),
    ],
)
def test_invalid_policies_fail_at_start_with_a_clear_message(
    tmp_path: Path, section: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=r"switchboard\.yaml") as refused:
        load(tmp_path, section)
    assert message in str(refused.value)
    assert "  - sla" in str(refused.value)  # names where


def test_the_sample_config_is_valid_and_uses_every_feature() -> None:
    config = load_config(SAMPLE_CONFIG).sla
    assert config.calendars["tallinn-office"].holidays is not None
    assert any(p.business_hours for p in config.all_policies())
    assert any(p.next_response and p.resolution for p in config.policies)
    assert config.seasons


BLACK_FRIDAY = SlaConfig.model_validate(
    sla(
        seasons=[
            {
                "id": "black-friday",
                "starts": "2026-11-23",
                "ends": "2026-11-30",
                "timezone": "Europe/Tallinn",
                "policies": [
                    {"id": "bf-email", "match": {"channels": ["email"]}, "first_response": "PT12H"}
                ],
            }
        ]
    )
)


def policy_id(channel: Channel, at: datetime | None) -> str:
    return BLACK_FRIDAY.policy_for(
        channel=channel,
        priority=Priority.NORMAL,
        tier=CustomerTier.STANDARD,
        marketplace=None,
        at=at,
    ).id


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 11, 22, 21, 59, 59, tzinfo=UTC), "default"),  # 23:59:59 in Tallinn
        (datetime(2026, 11, 22, 22, 0, tzinfo=UTC), "bf-email"),  # midnight in Tallinn
        (datetime(2026, 11, 30, 21, 59, 59, tzinfo=UTC), "bf-email"),  # last day, inclusive
        (datetime(2026, 11, 30, 22, 0, tzinfo=UTC), "default"),
        (None, "default"),  # without a time, the base set (the router's original reading)
    ],
)
def test_a_season_switches_its_policies_in_and_out_by_date(
    at: datetime | None, expected: str
) -> None:
    assert policy_id(Channel.EMAIL, at) == expected


def test_a_season_leaves_tickets_it_does_not_cover_to_the_base_policies() -> None:
    assert policy_id(Channel.CHAT, datetime(2026, 11, 25, tzinfo=UTC)) == "chat"


def test_the_last_base_policy_is_the_fallback_even_when_it_does_not_match() -> None:
    config = SlaConfig.model_validate(
        {
            "policies": [
                {"id": "chat", "match": {"channels": ["chat"]}, "first_response": "PT2M"},
                {"id": "phone", "match": {"channels": ["phone"]}, "first_response": "PT1M"},
            ]
        }
    )
    chosen = config.policy_for(
        channel=Channel.EMAIL,
        priority=Priority.LOW,
        tier=CustomerTier.VIP,
        marketplace="amazon",
    )
    assert chosen.id == "phone"
