"""A synthetic support desk for the router benchmark: teams, open load, tickets."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas.base import Channel, CustomerTier
from schemas.config.teams import TeamConfig
from services.router.domain import lifecycle, tally
from services.router.domain.registry import Registry, TicketProfile
from services.router.domain.state import PartitionTally, TicketFacts, TicketRoute, tally_key
from services.router.loadbook import LoadBook, decode_mirror

SKILLS = ["orders_shipping", "returns_refunds", "payments_billing", "account_technical", "product"]
LANGUAGES = ["en", "de", "et", "fi", "pl", "cs", "lv", "lt", "tr", "ru"]
CHANNELS = [Channel.EMAIL, Channel.CHAT, Channel.PHONE, Channel.SOCIAL, Channel.MARKETPLACE]
ZONES = ["Europe/Tallinn", "Europe/Warsaw", "Europe/Berlin", "Europe/Istanbul", "Asia/Manila"]
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # Black Friday, mid-morning in Europe
PARTITIONS = 6


def make_teams(count: int, rng: random.Random) -> list[TeamConfig]:
    teams = []
    for index in range(count):
        partner = rng.random() < 0.4
        hours: dict[str, Any] | None = None
        if rng.random() < 0.8:
            open_days = ["mon", "tue", "wed", "thu", "fri"] + (
                ["sat"] if rng.random() < 0.5 else []
            )
            start = rng.choice([6, 7, 8, 9])
            hours = {
                "time_zone": rng.choice(ZONES),
                "weekly": {day: [f"{start:02d}:00-{start + 10:02d}:00"] for day in open_days},
                "holidays_country": rng.choice([None, "EE", "PL", "DE"]),
            }
        fields: dict[str, Any] = {
            "id": f"team-{index:03d}",
            "name": f"Team {index}",
            "kind": "partner" if partner else "in_house",
            "skills": {
                s: rng.choice([0.6, 0.8, 1.0]) for s in rng.sample(SKILLS, rng.randint(2, 4))
            },
            "languages": rng.sample(LANGUAGES, rng.randint(2, 5)),
            "channels": rng.sample(CHANNELS, rng.randint(2, 4)),
            "agents": rng.randint(2, 40),
            "concurrency": rng.randint(1, 4),
            "cost_per_ticket": f"{rng.uniform(2, 9):.2f}",
            "hours": hours,
        }
        if partner:
            fields["contract"] = {
                "daily_volume_cap": rng.choice([None, 500, 2000]),
                "minimum_daily_share": rng.choice([0.0, 0.0, 0.002]),
                "data_policy": {"never_tiers": ["vip"]},
            }
        teams.append(TeamConfig.model_validate(fields))
    return teams


def facts_for(profile: TicketProfile) -> TicketFacts:
    return TicketFacts(
        correlation_id="bench",
        channel=profile.channel,
        language=profile.language,
        skill=profile.skill,
        tier=profile.tier,
        received_at=START,
        first_response_due=START + timedelta(hours=1),
        subject="Where is my parcel?",
        text="Order 4711 was due on Monday.",
    )


def make_book(registry: Registry, open_tickets: int, rng: random.Random) -> LoadBook:
    """A load view as a router with ``open_tickets`` open across the desk would have."""
    book = LoadBook(registry, max_unconfirmed=0)
    teams = list(registry.teams)
    tallies = {p: PartitionTally(partition=p) for p in range(PARTITIONS)}
    for number in range(open_tickets):
        team = rng.choice(teams)
        partition = 1 + number % (PARTITIONS - 1)  # partition 0 is this instance's own
        key = f"open-{number}"
        state = TicketRoute(
            partition=partition,
            facts=facts_for(
                TicketProfile(
                    "orders_shipping", "en", Channel.EMAIL, frozenset(), CustomerTier.STANDARD, None
                )
            ),
        )
        state = lifecycle.assign(state, key, team, START - timedelta(minutes=rng.randint(0, 30)))
        book.mirror_changed(key, decode_mirror(state.model_dump_json().encode()))
        moment = START - timedelta(minutes=rng.randint(0, 14))
        tallies[partition] = tally.record_assignment(
            tallies[partition],
            team.id,
            moment,
            desk_day=moment.date().isoformat(),
            to_partner=team.partner,
            contract_day=moment.date().isoformat() if team.partner else None,
        )
        if rng.random() < 0.5:
            tallies[partition] = tally.record_resolution(
                tallies[partition], team.id, moment, held_seconds=rng.uniform(120, 1800)
            )
    for partition, value in tallies.items():
        book.mirror_changed(tally_key(partition), decode_mirror(value.model_dump_json().encode()))
    book.partition_ready(0, [])  # this instance owns partition 0; its decisions count at once
    return book


def make_tickets(count: int, rng: random.Random) -> list[TicketProfile]:
    return [
        TicketProfile(
            skill=rng.choice(SKILLS),
            language=rng.choice(LANGUAGES),
            channel=rng.choice(CHANNELS),
            needs=frozenset(),
            tier=rng.choice([CustomerTier.STANDARD] * 8 + [CustomerTier.LOYAL, CustomerTier.VIP]),
            marketplace=None,
        )
        for _ in range(count)
    ]
