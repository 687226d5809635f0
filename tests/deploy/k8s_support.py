"""What the Kubernetes tests share: the kustomizations, their rendered objects, and the
services' consumer groups as the code names them."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from tests.deploy.validators import REPO_ROOT, validate_rendered

K8S = REPO_ROOT / "deploy" / "k8s"
BASE = K8S / "base"
OVERLAYS = sorted(path.parent for path in (K8S / "overlays").glob("*/kustomization.yaml"))
KUSTOMIZATIONS = [BASE, *OVERLAYS]

#: Secrets the overlays expect to exist already (made by people or operators, never
#: committed): the platform engineer's Kafka credentials, Strimzi's user and CA Secrets,
#: the partner API's keys.
EXTERNAL_SECRETS = {
    "base": {"switchboard-partner-api"},
    "external-kafka": {
        "switchboard-kafka-credentials",
        "switchboard-kafka-ca",
        "switchboard-partner-api",
    },
    "strimzi": {
        "switchboard",
        "switchboard-keda",
        "my-cluster-cluster-ca-cert",
        "switchboard-partner-api",
    },
}

#: Each consumer group and the topics it reads (docs/architecture.md, "Per consumer");
#: None: the inbound.<channel> topics.
GROUP_INPUTS: dict[str, str | None] = {
    "switchboard-ingest-normalise": None,
    "switchboard-ingest-thread": "ingest.messages",
    "switchboard-ingest-ticket-status": "tickets",
    "switchboard-router": "tickets",
    "switchboard-sla": "tickets",
}

_GROUP_IN_CODE = re.compile(r'group_id=settings\.group\("([^"]+)"\)')


def groups_in_code() -> dict[str, set[str]]:
    """Service -> the consumer groups its app.py creates (without the topic prefix)."""
    return {
        app.parent.name: set(_GROUP_IN_CODE.findall(app.read_text()))
        for app in sorted((REPO_ROOT / "services").glob("*/app.py"))
    }


@functools.cache
def rendered(directory: Path) -> tuple[dict[str, Any], ...]:
    return tuple(validate_rendered(directory))


def objects(directory: Path, kind: str) -> list[dict[str, Any]]:
    return [doc for doc in rendered(directory) if doc["kind"] == kind]


def one(directory: Path, kind: str, name: str) -> dict[str, Any]:
    found = [doc for doc in objects(directory, kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{directory.name}: {kind}/{name}: {len(found)} found"
    return found[0]


def env_config_map(directory: Path) -> dict[str, str]:
    """The data of the switchboard-env ConfigMap (its name carries a hash suffix)."""
    maps = [
        doc
        for doc in objects(directory, "ConfigMap")
        if doc["metadata"]["name"].startswith("switchboard-env-")
    ]
    assert len(maps) == 1, directory
    data: dict[str, str] = maps[0]["data"]
    return data


def config_file_text(directory: Path) -> str:
    maps = [
        doc
        for doc in objects(directory, "ConfigMap")
        if doc["metadata"]["name"].startswith("switchboard-config-")
    ]
    assert len(maps) == 1, directory
    text: str = maps[0]["data"]["switchboard.yaml"]
    return text


def pod_specs(directory: Path) -> dict[str, dict[str, Any]]:
    """'Kind/name' -> pod spec, for every Deployment and Job."""
    return {
        f"{doc['kind']}/{doc['metadata']['name']}": doc["spec"]["template"]["spec"]
        for doc in rendered(directory)
        if doc["kind"] in ("Deployment", "Job")
    }
