#!/usr/bin/env python3
"""Regenerate the Kubernetes manifests that are derived from Switchboard's own files
(`make k8s-generated`); tests/deploy fails when a committed copy is stale.

* deploy/k8s/overlays/strimzi/kafkatopics.yaml: every topic of schemas/topics.py for the
  sample config, as Strimzi KafkaTopics (the overlay's prefix, cluster and replicas);
* deploy/k8s/components/monitoring/prometheusrule.yaml: deploy/prometheus/rules/ as a
  PrometheusRule.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from schemas.config import load_config  # noqa: E402
from schemas.topics import all_topics  # noqa: E402
from switchboard.manifests import kafka_topics_yaml, prometheus_rule_yaml  # noqa: E402

CONFIG = "deploy/config/switchboard.yaml"
RULES = "deploy/prometheus/rules/switchboard.yml"
#: What overlays/strimzi uses (its switchboard-env and KafkaUser); checked by the tests.
STRIMZI_PREFIX, STRIMZI_CLUSTER, STRIMZI_REPLICAS = "switchboard.", "my-cluster", 3
KAFKATOPICS = REPO_ROOT / "deploy/k8s/overlays/strimzi/kafkatopics.yaml"
PROMETHEUS_RULE = REPO_ROOT / "deploy/k8s/components/monitoring/prometheusrule.yaml"


def generated() -> dict[Path, str]:
    config = load_config(REPO_ROOT / CONFIG)
    topics = kafka_topics_yaml(
        all_topics(config.in_house_team_ids),
        prefix=STRIMZI_PREFIX,
        cluster=STRIMZI_CLUSTER,
        replicas=STRIMZI_REPLICAS,
        config=CONFIG,
    )
    rules = yaml.safe_load((REPO_ROOT / RULES).read_text())
    rule = prometheus_rule_yaml(rules, name="switchboard", source=RULES)
    return {KAFKATOPICS: topics, PROMETHEUS_RULE: rule}


def main() -> int:
    for path, text in generated().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
