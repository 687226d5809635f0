"""Every Kafka topic Switchboard uses, defined once.

Names here are logical; a deployment may put a prefix in front of all of them
(``SWITCHBOARD_TOPIC_PREFIX``) to share a cluster. Partition counts bound how far
each consumer group can scale out, and changelog topics must have exactly as many
partitions as the topic whose state they hold, because state is kept per partition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from schemas.base import Channel

DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    description: str
    compacted: bool = False
    retention_ms: int | None = None
    extra_config: dict[str, str] = field(default_factory=dict)

    def config(self) -> dict[str, str]:
        """Topic-level settings as Kafka names them."""
        settings = {"cleanup.policy": "compact" if self.compacted else "delete"}
        if self.retention_ms is not None:
            settings["retention.ms"] = str(self.retention_ms)
        if self.compacted:
            # Compact promptly so restores read little more than the live state.
            settings["min.cleanable.dirty.ratio"] = "0.1"
            settings["segment.ms"] = str(60 * 60 * 1000)
        settings.update(self.extra_config)
        return settings


def dlq_name(topic: str) -> str:
    """Where records of ``topic`` go when they cannot be processed."""
    return f"{topic}.dlq"


def inbound_name(channel: Channel) -> str:
    return f"inbound.{channel.value}"


_TEAM_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def queue_name(team_id: str) -> str:
    """The topic in-house agents of ``team_id`` consume."""
    if not _TEAM_ID.match(team_id):
        raise ValueError(f"not a valid team id for a topic name: {team_id!r}")
    return f"queue.{team_id}"


INBOUND_PARTITIONS = 3
TICKET_PARTITIONS = 6

INBOUND: dict[Channel, TopicSpec] = {
    channel: TopicSpec(
        name=inbound_name(channel),
        partitions=INBOUND_PARTITIONS,
        description=f"Raw {channel.value} payloads as connectors and the HTTP intake send them.",
        retention_ms=7 * DAY_MS,
    )
    for channel in Channel
}
INBOUND_CSAT = TopicSpec(
    name="inbound.csat",
    partitions=INBOUND_PARTITIONS,
    description="Satisfaction survey answers (CSAT) as survey tools and the HTTP intake send "
    "them; ingest turns each into ticket.rated.",
    retention_ms=7 * DAY_MS,
)

INGEST_MESSAGES = TopicSpec(
    name="ingest.messages",
    partitions=TICKET_PARTITIONS,
    description="Normalised inbound messages and ticket status changes keyed by customer, so "
    "one ingest instance owns all of a customer's conversations (dedup and threading are per "
    "customer).",
    retention_ms=7 * DAY_MS,
)
INGEST_CUSTOMERS_CHANGELOG = TopicSpec(
    name="ingest.customers-changelog",
    partitions=TICKET_PARTITIONS,
    description="Ingest's per-customer memory: seen message ids and open threads.",
    compacted=True,
)
INGEST_TICKETS_CHANGELOG = TopicSpec(
    name="ingest.tickets-changelog",
    partitions=TICKET_PARTITIONS,
    description="Ingest's ticket -> customer links, to join ticket.resolved onto the customer.",
    compacted=True,
)
TICKETS = TopicSpec(
    name="tickets",
    partitions=TICKET_PARTITIONS,
    description="The ticket lifecycle, event-sourced, keyed by ticket id.",
    retention_ms=30 * DAY_MS,
)
ROUTER_CHANGELOG = TopicSpec(
    name="router.tickets-changelog",
    partitions=TICKET_PARTITIONS,
    description="The router's view of every open ticket: assignment, offers, attempts.",
    compacted=True,
)
SLA = TopicSpec(
    name="sla",
    partitions=TICKET_PARTITIONS,
    description="SLA at-risk and breach events, keyed by ticket id.",
    retention_ms=30 * DAY_MS,
)
SLA_FORECASTS = TopicSpec(
    name="sla.forecasts",
    partitions=1,
    description="Next-hour forecasts per queue (team x skill), keyed by queue id.",
    retention_ms=2 * DAY_MS,
)
SLA_CHANGELOG = TopicSpec(
    name="sla.clocks-changelog",
    partitions=TICKET_PARTITIONS,
    description="The SLA service's clocks of every open ticket.",
    compacted=True,
)
SLA_QUEUE_STATS = TopicSpec(
    name="sla.queue-stats",
    partitions=1,
    description="Each tickets partition's running counts per queue (arrived, served, "
    "waiting), keyed '<queue_id>@<partition>': what the SLA forecaster sums.",
    compacted=True,
)
TEAMS = TopicSpec(
    name="teams",
    partitions=1,
    description="Team capacity and status, compacted, keyed by team id.",
    compacted=True,
)
AGENT_PRESENCE = TopicSpec(
    name="agents.presence",
    partitions=1,
    description="In-house agents' presence (online, away, offline) with a heartbeat, "
    "compacted, keyed '<team_id>/<agent_id>'; the router mirrors it.",
    compacted=True,
)
CUSTOMERS = TopicSpec(
    name="customers",
    partitions=TICKET_PARTITIONS,
    description="Customer profiles (tier) for priority, compacted, keyed by customer key.",
    compacted=True,
)
PARTNER_AUDIT = TopicSpec(
    name="partner.audit",
    partitions=1,
    description="Every action a partner took through the assignment API.",
    retention_ms=365 * DAY_MS,
)
PARTNER_VIEW_CHANGELOG = TopicSpec(
    name="partner.tickets-changelog",
    partitions=TICKET_PARTITIONS,
    description="The partner API's view of tickets offered to partners (assignments, "
    "conversation, minimised customer fields, SLA outcomes), keyed by ticket id; every API "
    "instance mirrors it.",
    compacted=True,
)
PARTNER_CAPACITY_CHANGELOG = TopicSpec(
    name="partner.capacity-changelog",
    partitions=1,
    description="Each partner's latest capacity announcement and the ids of its recent "
    "ones (for idempotent retries), keyed by team id.",
    compacted=True,
)
QUEUE_PARTITIONS = 3
DLQ_PARTITIONS = 1
DLQ_RETENTION_MS = 30 * DAY_MS


def queue_spec(team_id: str) -> TopicSpec:
    return TopicSpec(
        name=queue_name(team_id),
        partitions=QUEUE_PARTITIONS,
        description=f"Tickets assigned to in-house team {team_id}.",
        retention_ms=7 * DAY_MS,
    )


def dlq_spec(topic: TopicSpec) -> TopicSpec:
    return TopicSpec(
        name=dlq_name(topic.name),
        partitions=DLQ_PARTITIONS,
        description=f"Records of {topic.name} that could not be processed, with the reason.",
        retention_ms=DLQ_RETENTION_MS,
    )


#: Topics that exist whatever the team configuration is.
STATIC_TOPICS: tuple[TopicSpec, ...] = (
    *INBOUND.values(),
    *(dlq_spec(spec) for spec in INBOUND.values()),
    INBOUND_CSAT,
    dlq_spec(INBOUND_CSAT),
    INGEST_MESSAGES,
    dlq_spec(INGEST_MESSAGES),
    INGEST_CUSTOMERS_CHANGELOG,
    INGEST_TICKETS_CHANGELOG,
    TICKETS,
    dlq_spec(TICKETS),
    ROUTER_CHANGELOG,
    SLA,
    SLA_FORECASTS,
    SLA_CHANGELOG,
    SLA_QUEUE_STATS,
    TEAMS,
    dlq_spec(TEAMS),
    AGENT_PRESENCE,
    CUSTOMERS,
    dlq_spec(CUSTOMERS),
    PARTNER_AUDIT,
    PARTNER_VIEW_CHANGELOG,
    PARTNER_CAPACITY_CHANGELOG,
    dlq_spec(SLA),
)


def all_topics(in_house_team_ids: list[str] | tuple[str, ...] = ()) -> tuple[TopicSpec, ...]:
    """Every topic a deployment needs, given its in-house teams."""
    return STATIC_TOPICS + tuple(queue_spec(team_id) for team_id in in_house_team_ids)
