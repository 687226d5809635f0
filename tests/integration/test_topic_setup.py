"""`ensure_topics` (what the services and the topics Job/service run) on a real broker:
it creates what is missing with its settings, and when Kafka refuses a topic it fails
with Kafka's reason instead of carrying on without it (CreateTopics answers per topic
and raises nothing by itself)."""

from __future__ import annotations

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from plumbing.kafka import TopicSetupError, ensure_topics
from plumbing.settings import ServiceSettings
from schemas.topics import TICKETS, TopicSpec

pytestmark = pytest.mark.kafka

COMPACTED = TopicSpec(name="state", partitions=2, description="a changelog", compacted=True)


async def _describe(bootstrap: str, names: list[str]) -> dict[str, tuple[int, str]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = {d["topic"]: len(d["partitions"]) for d in await admin.describe_topics(names)}
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
        )
    finally:
        await admin.close()
    policies = {
        resource[3]: next(entry[1] for entry in resource[4] if entry[0] == "cleanup.policy")
        for response in configs
        for resource in response.resources
    }
    return {name: (topics[name], policies[name]) for name in names}


async def test_missing_topics_are_created_with_their_settings(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=topic_prefix)
    await ensure_topics(settings, [TICKETS, COMPACTED])
    await ensure_topics(settings, [TICKETS, COMPACTED])  # idempotent
    described = await _describe(kafka_bootstrap, [f"{topic_prefix}tickets", f"{topic_prefix}state"])
    assert described == {
        f"{topic_prefix}tickets": (TICKETS.partitions, "delete"),
        f"{topic_prefix}state": (2, "compact"),
    }


async def test_a_refused_topic_fails_with_kafkas_reason(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        brokers = len((await admin.describe_cluster())["brokers"])
    finally:
        await admin.close()
    settings = ServiceSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        topic_prefix=topic_prefix,
        kafka_replication_factor=brokers + 1,
    )
    with pytest.raises(TopicSetupError, match="InvalidReplicationFactorError") as refused:
        await ensure_topics(settings, [TICKETS])
    assert f"{topic_prefix}tickets" in str(refused.value)


async def test_an_existing_topic_with_too_few_partitions_is_an_error(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=topic_prefix)
    small = TopicSpec(name="tickets", partitions=2, description="too few")
    await ensure_topics(settings, [small])
    with pytest.raises(TopicSetupError, match="has 2 partitions but Switchboard needs 6"):
        await ensure_topics(settings, [TICKETS])
