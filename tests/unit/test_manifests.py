"""Manifests derived from the code: Strimzi KafkaTopics from the topic specs (and the
`switchboard topics kafkatopics` command that prints them), a PrometheusRule from a
rule file."""

from __future__ import annotations

import pytest
import yaml

from schemas.config import load_config
from schemas.topics import TICKETS, TopicSpec, all_topics, queue_spec
from switchboard.cli import main
from switchboard.manifests import kafka_topics, prometheus_rule, resource_name, yaml_stream
from tests.conftest import SAMPLE_CONFIG


@pytest.mark.parametrize(
    ("topic", "name"),
    [
        ("tickets", "tickets"),
        ("switchboard.queue.tallinn-care", "switchboard.queue.tallinn-care"),
        ("Prod_EU.queue.warsaw_care", "prod-eu.queue.warsaw-care"),
        ("_x.tickets", "x.tickets"),
    ],
)
def test_resource_names_are_valid_kubernetes_names(topic: str, name: str) -> None:
    assert resource_name(topic) == name


def test_kafka_topics_carry_the_real_name_partitions_and_settings() -> None:
    (topic,) = kafka_topics([TICKETS], prefix="p_1.", cluster="c1", replicas=3)
    assert topic == {
        "apiVersion": "kafka.strimzi.io/v1",
        "kind": "KafkaTopic",
        "metadata": {
            "name": "p-1.tickets",
            "labels": {"strimzi.io/cluster": "c1", "app.kubernetes.io/part-of": "switchboard"},
        },
        "spec": {
            "topicName": "p_1.tickets",
            "partitions": 6,
            "replicas": 3,
            "config": {"cleanup.policy": "delete", "retention.ms": "2592000000"},
        },
    }


def test_two_topics_with_one_kubernetes_name_are_refused() -> None:
    with pytest.raises(ValueError, match="one name"):
        kafka_topics([queue_spec("a_b"), queue_spec("a-b")], prefix="", cluster="c", replicas=1)


def test_compacted_topics_keep_their_compaction_settings() -> None:
    spec = TopicSpec(name="state", partitions=6, description="x", compacted=True)
    (topic,) = kafka_topics([spec], prefix="", cluster="c", replicas=3)
    assert topic["spec"]["config"]["cleanup.policy"] == "compact"
    assert topic["spec"]["config"] == spec.config()


def test_prometheus_rule_keeps_the_groups_unchanged() -> None:
    rules = {
        "groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up == 0\nor vector(1)\n"}]}]
    }
    text = yaml_stream([prometheus_rule(rules, name="r")], header="made here")
    assert text.startswith("# made here\n")
    assert "expr: |" in text, "multi-line PromQL stays readable"
    assert yaml.safe_load(text)["spec"]["groups"] == rules["groups"]


def test_the_command_prints_every_topic_of_the_config(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(SAMPLE_CONFIG))
    monkeypatch.setenv("SWITCHBOARD_TOPIC_PREFIX", "sb.")
    monkeypatch.setenv("KAFKA_REPLICATION_FACTOR", "3")
    assert main(["topics", "kafkatopics", "--cluster", "my-cluster"]) == 0
    printed = [doc for doc in yaml.safe_load_all(capsys.readouterr().out) if doc]
    teams = load_config(SAMPLE_CONFIG).in_house_team_ids
    assert printed == kafka_topics(
        all_topics(teams), prefix="sb.", cluster="my-cluster", replicas=3
    )


def test_the_command_needs_a_cluster(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_CONFIG", str(SAMPLE_CONFIG))
    assert main(["topics", "kafkatopics"]) == 2
    assert "--cluster" in capsys.readouterr().err
