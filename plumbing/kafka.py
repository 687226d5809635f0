"""Kafka connections from settings: raw aiokafka clients, the FastStream broker, topics."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from aiokafka.helpers import create_ssl_context
from faststream.kafka import KafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from prometheus_client import CollectorRegistry

from plumbing.settings import ServiceSettings
from schemas.topics import TopicSpec


class KafkaUnavailableError(RuntimeError):
    """The broker could not be reached within the configured time."""


class TopicSetupError(RuntimeError):
    """Kafka refused to create a topic Switchboard needs (not authorised, more replicas
    than brokers, a policy), or an existing topic has too few partitions."""


def _raise_refusals(response: Any) -> None:
    """CreateTopics answers per topic and raises nothing: look at every answer."""
    refused: dict[str, list[str]] = {}
    for answer in response.topic_errors:
        topic, code = answer[0], answer[1]
        if code in (0, TopicAlreadyExistsError.errno):
            continue
        message = answer[2] if len(answer) > 2 and answer[2] else ""
        refused.setdefault(f"{for_code(code).__name__}: {message}".rstrip(": "), []).append(topic)
    if refused:
        reasons = [
            f"{reason} ({len(topics)}: {', '.join(topics[:3])}{', ...' * (len(topics) > 3)})"
            for reason, topics in refused.items()
        ]
        raise TopicSetupError("Kafka refused to create topics: " + "; ".join(reasons))


def _ssl_context(settings: ServiceSettings) -> Any:
    if settings.kafka_security_protocol not in ("SSL", "SASL_SSL"):
        return None
    return create_ssl_context(
        cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None,
        certfile=str(settings.kafka_ssl_certfile) if settings.kafka_ssl_certfile else None,
        keyfile=str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None,
    )


def bootstrap_list(settings: ServiceSettings) -> list[str]:
    """``KAFKA_BOOTSTRAP_SERVERS`` as its addresses (comma-separated, as Kafka's tools
    take them)."""
    return [s.strip() for s in settings.kafka_bootstrap_servers.split(",") if s.strip()]


def client_options(settings: ServiceSettings, client_id: str) -> dict[str, Any]:
    """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": client_id,
        "security_protocol": settings.kafka_security_protocol,
    }
    ssl_context = _ssl_context(settings)
    if ssl_context is not None:
        options["ssl_context"] = ssl_context
    if settings.kafka_security_protocol.startswith("SASL"):
        if not (settings.kafka_sasl_username and settings.kafka_sasl_password):
            raise ValueError("SASL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism or "SCRAM-SHA-512"
        options["sasl_plain_username"] = settings.kafka_sasl_username
        options["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    return options


def _security(settings: ServiceSettings) -> BaseSecurity | None:
    ssl_context = _ssl_context(settings)
    if not settings.kafka_security_protocol.startswith("SASL"):
        return BaseSecurity(ssl_context=ssl_context) if ssl_context is not None else None
    if not (settings.kafka_sasl_username and settings.kafka_sasl_password):
        raise ValueError("SASL needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
    username = settings.kafka_sasl_username
    password = settings.kafka_sasl_password.get_secret_value()
    mechanism = settings.kafka_sasl_mechanism or "SCRAM-SHA-512"
    security_class = {
        "PLAIN": SASLPlaintext,
        "SCRAM-SHA-256": SASLScram256,
        "SCRAM-SHA-512": SASLScram512,
    }[mechanism]
    return security_class(
        username=username,
        password=password,
        ssl_context=ssl_context,
        use_ssl=ssl_context is not None,
    )


def make_broker(
    settings: ServiceSettings,
    service: str,
    registry: CollectorRegistry,
    *,
    description: str = "",
) -> KafkaBroker:
    """The FastStream broker of a service: idempotent producer, JSON logs, Prometheus."""
    return KafkaBroker(
        # A list: FastStream takes a string for one address (aiokafka's own clients
        # split "host1:9092,host2:9092" themselves; FastStream would not).
        bootstrap_list(settings),
        security=_security(settings),
        client_id=f"switchboard-{service}",
        acks="all",
        enable_idempotence=True,
        request_timeout_ms=int(settings.kafka_connect_timeout_seconds * 1000),
        # Topics are created by ``ensure_topics`` with their real settings, never implicitly.
        allow_auto_create_topics=False,
        # Handlers get raw records and validate them themselves, so bad input can be
        # dead-lettered with its original bytes instead of failing inside FastStream.
        apply_types=False,
        logger=logging.getLogger(f"switchboard.{service}.faststream"),
        middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name=service)],
        description=description or f"Switchboard {service} service",
    )


async def ensure_topics(settings: ServiceSettings, specs: Iterable[TopicSpec]) -> None:
    """Create missing topics with their partition counts and settings.

    An existing topic with fewer partitions than its spec is an error: per-partition
    state and changelogs rely on the counts matching.
    """
    wanted = {settings.topic(spec.name): spec for spec in specs}
    admin = AIOKafkaAdminClient(**client_options(settings, "switchboard-admin"))
    try:
        await asyncio.wait_for(admin.start(), settings.kafka_connect_timeout_seconds)
    except (TimeoutError, OSError, Exception) as exc:
        await _close_quietly(admin)
        raise KafkaUnavailableError(
            f"cannot reach Kafka at {settings.kafka_bootstrap_servers}: {exc!r}"
        ) from exc
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(
                name=name,
                num_partitions=spec.partitions,
                replication_factor=settings.kafka_replication_factor,
                topic_configs=spec.config(),
            )
            for name, spec in wanted.items()
            if name not in existing
        ]
        if missing:
            # Another instance may create the same topics at the same moment.
            with contextlib.suppress(TopicAlreadyExistsError):
                _raise_refusals(await admin.create_topics(missing))
            await _wait_until_visible(admin, [topic.name for topic in missing])
        present = [name for name in wanted if name in existing]
        if present:
            await _check_partitions(admin, {name: wanted[name] for name in present})
    finally:
        await _close_quietly(admin)


async def _wait_until_visible(
    admin: AIOKafkaAdminClient, names: list[str], timeout: float = 15.0
) -> None:
    """Return once new topics are in the cluster's metadata with their partitions, so that
    clients started right after (state tables, consumers) find them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        descriptions = await admin.describe_topics(names)
        if all(d["error_code"] == 0 and d["partitions"] for d in descriptions):
            return
        await asyncio.sleep(0.1)


async def _check_partitions(admin: AIOKafkaAdminClient, specs: dict[str, TopicSpec]) -> None:
    descriptions = await admin.describe_topics(list(specs))
    for description in descriptions:
        name = description["topic"]
        actual = len(description["partitions"])
        expected = specs[name].partitions
        if actual < expected:
            raise TopicSetupError(
                f"topic {name} has {actual} partitions but Switchboard needs {expected}; "
                "add partitions (kafka-topics --alter) or recreate it"
            )


async def _close_quietly(admin: AIOKafkaAdminClient) -> None:
    try:
        await admin.close()
    except Exception:
        logging.getLogger(__name__).debug("admin client close failed", exc_info=True)
