"""Seeded e-commerce support traffic: who writes, when, on which channel, in which
language, about what, and how the support desk's agents and partners behave.

The demo plays ``generate_traffic`` through the real services; benchmarks and the
policy comparison use the same messages in process. Everything here is pure:
time is a parameter and randomness comes from seeded generators.
"""

from switchboard.simulator.arrivals import contact_rate, expected_contacts
from switchboard.simulator.capacity import partner_capacity_announcements, planned_agents
from switchboard.simulator.jsonl import read_jsonl, write_jsonl
from switchboard.simulator.model import GroundTruth, SimMessage
from switchboard.simulator.params import (
    DEFAULT_SEED,
    DEMO_FIRST_DAY,
    DEMO_LAST_DAY,
    SeasonalProfile,
    TrafficParams,
    day_range,
)
from switchboard.simulator.season import Season, black_friday, cyber_monday
from switchboard.simulator.summary import TrafficSummary, render_summary, summarise
from switchboard.simulator.traffic import generate_traffic
from switchboard.simulator.workforce import PartnerDecision, ServiceOutcome, Workforce

__all__ = [
    "DEFAULT_SEED",
    "DEMO_FIRST_DAY",
    "DEMO_LAST_DAY",
    "GroundTruth",
    "PartnerDecision",
    "Season",
    "SeasonalProfile",
    "ServiceOutcome",
    "SimMessage",
    "TrafficParams",
    "TrafficSummary",
    "Workforce",
    "black_friday",
    "contact_rate",
    "cyber_monday",
    "day_range",
    "expected_contacts",
    "generate_traffic",
    "partner_capacity_announcements",
    "planned_agents",
    "read_jsonl",
    "render_summary",
    "summarise",
    "write_jsonl",
]
