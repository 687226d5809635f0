"""The topics every deployment form creates agree with the services' own definitions
(schemas/topics.py and the config's in-house teams): partition counts, cleanup policy,
retention and compaction settings, names with the deployment's prefix.

* docker compose: the `topics` service's command, run (as `topics list`) with the
  service's environment and the config file it mounts;
* Kubernetes: the topics Job of every kustomization that has one, run the same way with
  the rendered ConfigMaps;
* Strimzi: the rendered KafkaTopics, whose replicas must also be the
  KAFKA_REPLICATION_FACTOR the services use when they create a missing topic.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemas.config import SwitchboardConfig, load_config
from schemas.topics import all_topics
from tests.deploy.k8s_support import (
    KUSTOMIZATIONS,
    config_file_text,
    env_config_map,
    objects,
)
from tests.deploy.validators import REPO_ROOT

Topic = tuple[str, int, tuple[tuple[str, str], ...]]


def expected(config: SwitchboardConfig, prefix: str) -> set[Topic]:
    return {
        (f"{prefix}{spec.name}", spec.partitions, tuple(sorted(spec.config().items())))
        for spec in all_topics(config.in_house_team_ids)
    }


def topics_command(args: list[str], env: dict[str, str], config_file: Path) -> set[Topic]:
    """What `switchboard topics create` would create, by running `topics list` instead."""
    assert args[-2:] == ["topics", "create"], args
    variables = {**os.environ, **env, "SWITCHBOARD_CONFIG": str(config_file)}
    result = subprocess.run(
        [sys.executable, "-m", *args[:-1], "list"],
        env=variables,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO_ROOT,
    )
    topics: set[Topic] = set()
    for line in result.stdout.splitlines():
        name, partitions, settings = line.split("\t")
        pairs = (item.split("=", 1) for item in settings.split(","))
        topics.add(
            (
                name,
                int(partitions.removeprefix("partitions=")),
                tuple(sorted((k, v) for k, v in pairs)),
            )
        )
    return topics


_DEFAULTED = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}")


def test_compose_creates_the_services_topics() -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    service = compose["services"]["topics"]
    # As compose interpolates when none of the variables is set.
    env = {k: _DEFAULTED.sub(r"\1", str(v)) for k, v in service["environment"].items()}
    mounted = {
        target: source
        for source, target, *_ in (str(volume).split(":") for volume in service["volumes"])
    }
    config_file = REPO_ROOT / mounted[env["SWITCHBOARD_CONFIG"]]
    assert env["SWITCHBOARD_TOPIC_PREFIX"] == "", "no prefix unless the user sets one"
    created = topics_command(service["command"], env, config_file)
    assert created == expected(load_config(config_file), "")
    assert env["KAFKA_REPLICATION_FACTOR"] == "1", "compose runs one broker"


JOBS = [d for d in KUSTOMIZATIONS if d.name != "strimzi"]


@pytest.mark.parametrize("directory", JOBS, ids=[d.name for d in JOBS])
def test_the_kubernetes_topics_job_creates_the_services_topics(
    directory: Path, tmp_path: Path
) -> None:
    (job,) = objects(directory, "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = env_config_map(directory)
    config_file = tmp_path / "switchboard.yaml"
    config_file.write_text(config_file_text(directory))
    run_env = {k: v for k, v in env.items() if not k.startswith("KAFKA_SSL")}
    created = topics_command(container["args"], run_env, config_file)
    config = load_config(config_file)
    assert created == expected(config, env["SWITCHBOARD_TOPIC_PREFIX"])


def _kafka_topic(resource: dict[str, Any]) -> Topic:
    spec = resource["spec"]
    settings = tuple(sorted((k, str(v)) for k, v in spec["config"].items()))
    return (spec["topicName"], spec["partitions"], settings)


def test_strimzi_kafka_topics_are_the_services_topics() -> None:
    (directory,) = [d for d in KUSTOMIZATIONS if d.name == "strimzi"]
    env = env_config_map(directory)
    config = SwitchboardConfig.model_validate(yaml.safe_load(config_file_text(directory)))
    resources = objects(directory, "KafkaTopic")
    assert {_kafka_topic(r) for r in resources} == expected(config, env["SWITCHBOARD_TOPIC_PREFIX"])
    assert len(resources) == len(all_topics(config.in_house_team_ids))
    assert {r["spec"]["replicas"] for r in resources} == {int(env["KAFKA_REPLICATION_FACTOR"])}
