"""Kubernetes manifests derived from Switchboard's own definitions, so they cannot drift.

* Strimzi ``KafkaTopic`` resources from the topic specs of ``schemas/topics.py``
  (``switchboard topics kafkatopics``), for clusters whose topics are managed by the
  Strimzi Topic Operator.
* A Prometheus Operator ``PrometheusRule`` from ``deploy/prometheus/rules/``.

Pure: specs and documents in, plain dicts and YAML text out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from schemas.topics import TopicSpec

STRIMZI_API_VERSION = "kafka.strimzi.io/v1"
PROMETHEUS_OPERATOR_API_VERSION = "monitoring.coreos.com/v1"
PART_OF = {"app.kubernetes.io/part-of": "switchboard"}

_NOT_IN_NAME = re.compile(r"[^a-z0-9.-]+")
_K8S_NAME = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")


def resource_name(topic: str) -> str:
    """A Kubernetes object name for a Kafka topic name (lower case, ``_`` -> ``-``).

    The real topic name always goes in ``spec.topicName``, so the mapping only has to
    be valid and unambiguous, not reversible.
    """
    name = _NOT_IN_NAME.sub("-", topic.lower()).strip(".-")
    if not _K8S_NAME.match(name):
        raise ValueError(f"cannot make a Kubernetes name of topic {topic!r}")
    return name


def kafka_topics(
    specs: Iterable[TopicSpec], *, prefix: str, cluster: str, replicas: int
) -> list[dict[str, Any]]:
    """One Strimzi ``KafkaTopic`` per topic, with its partitions and settings."""
    topics: list[dict[str, Any]] = []
    names: dict[str, str] = {}
    for spec in specs:
        topic = f"{prefix}{spec.name}"
        name = resource_name(topic)
        if name in names:
            raise ValueError(f"topics {names[name]!r} and {topic!r} map to one name {name!r}")
        names[name] = topic
        topics.append(
            {
                "apiVersion": STRIMZI_API_VERSION,
                "kind": "KafkaTopic",
                "metadata": {
                    "name": name,
                    "labels": {"strimzi.io/cluster": cluster, **PART_OF},
                },
                "spec": {
                    "topicName": topic,
                    "partitions": spec.partitions,
                    "replicas": replicas,
                    "config": spec.config(),
                },
            }
        )
    return topics


def prometheus_rule(rules: dict[str, Any], *, name: str) -> dict[str, Any]:
    """A ``PrometheusRule`` holding the groups of a Prometheus rule file unchanged."""
    return {
        "apiVersion": PROMETHEUS_OPERATOR_API_VERSION,
        "kind": "PrometheusRule",
        "metadata": {"name": name, "labels": dict(PART_OF)},
        "spec": {"groups": rules["groups"]},
    }


def kafka_topics_yaml(
    specs: Iterable[TopicSpec], *, prefix: str, cluster: str, replicas: int, config: str
) -> str:
    """``kafka_topics`` as the YAML ``switchboard topics kafkatopics`` prints."""
    header = (
        f"Strimzi KafkaTopics for Kafka cluster {cluster}, made by `switchboard topics "
        f"kafkatopics`\nfrom config {config}, topic prefix {prefix!r}, {replicas} replicas. "
        "Do not edit: regenerate."
    )
    manifests = kafka_topics(specs, prefix=prefix, cluster=cluster, replicas=replicas)
    return yaml_stream(manifests, header=header)


def prometheus_rule_yaml(rules: dict[str, Any], *, name: str, source: str) -> str:
    """``prometheus_rule`` as YAML, saying which file it was made from."""
    header = f"Generated from {source} by `make k8s-generated`. Do not edit: regenerate."
    return yaml_stream([prometheus_rule(rules, name=name)], header=header)


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (PromQL) as literal blocks, as people write them."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


def yaml_stream(documents: Iterable[dict[str, Any]], *, header: str) -> str:
    """Documents as one YAML stream, after a comment ``header`` (one line per line)."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = "---\n".join(
        yaml.dump(document, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, width=100)
        for document in documents
    )
    return comment + body
