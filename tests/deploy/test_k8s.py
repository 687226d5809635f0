"""deploy/k8s renders with kustomize and every object is valid for Kubernetes and for the
operators' CRDs (validators.py); the validators refuse broken copies; the workloads have
what a production cluster needs (probes, resources, disruption budgets, non-root); the
autoscalers watch the services' real consumer groups, capped by partitions; every
Secret a workload reads is either rendered or one the overlay says to create."""

from __future__ import annotations

import base64
import importlib.util
import runpy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from schemas.config import SwitchboardConfig
from schemas.topics import INBOUND, all_topics
from tests.deploy.k8s_support import (
    EXTERNAL_SECRETS,
    GROUP_INPUTS,
    K8S,
    KUSTOMIZATIONS,
    OVERLAYS,
    config_file_text,
    env_config_map,
    groups_in_code,
    objects,
    one,
    pod_specs,
    rendered,
)
from tests.deploy.validators import REPO_ROOT, ToolError, render, validate_rendered

IDS = [path.name for path in KUSTOMIZATIONS]


def test_there_is_a_base_and_an_overlay_for_strimzi_and_for_an_external_cluster() -> None:
    assert {path.name for path in OVERLAYS} >= {"strimzi", "external-kafka"}


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=IDS)
def test_renders_and_every_object_is_valid(directory: Path) -> None:
    kinds = {doc["kind"] for doc in rendered(directory)}
    assert {"Deployment", "PodDisruptionBudget", "ConfigMap"} <= kinds


# -- the validators refuse broken copies ----------------------------------------------


@pytest.fixture
def deploy_copy(tmp_path: Path) -> Path:
    """A copy of deploy/ to break; returns the copy's deploy/k8s."""
    shutil.copytree(
        REPO_ROOT / "deploy", tmp_path / "deploy", ignore=shutil.ignore_patterns("kafka")
    )
    return tmp_path / "deploy" / "k8s"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_a_misspelled_field_is_refused(deploy_copy: Path) -> None:
    _edit(deploy_copy / "base/router.yaml", "readinessProbe:", "readinesProbe:")
    with pytest.raises(ToolError, match="readinesProbe"):
        validate_rendered(deploy_copy / "base")


def test_a_value_of_the_wrong_type_is_refused(deploy_copy: Path) -> None:
    _edit(deploy_copy / "base/sla.yaml", "containerPort: 8000", 'containerPort: "eight"')
    with pytest.raises(ToolError, match="containerPort"):
        validate_rendered(deploy_copy / "base")


def test_a_broken_scaled_object_is_refused(deploy_copy: Path) -> None:
    scaled = deploy_copy / "components/keda/scaledobjects.yaml"
    _edit(scaled, "maxReplicaCount: 6  # tickets", "maxReplicaCount: six  # tickets")
    _edit(scaled, "pollingInterval: 15", "pollingIntervall: 15")
    with pytest.raises(ToolError) as refused:
        validate_rendered(deploy_copy / "overlays/external-kafka")
    assert "maxReplicaCount" in str(refused.value)
    assert "pollingIntervall" in str(refused.value)


def test_a_broken_kafka_topic_is_refused(deploy_copy: Path) -> None:
    _edit(deploy_copy / "overlays/strimzi/kafkatopics.yaml", "partitions: 6", "partitions: 0")
    with pytest.raises(ToolError, match="partitions"):
        validate_rendered(deploy_copy / "overlays/strimzi")


def test_a_kind_without_a_schema_is_refused(deploy_copy: Path) -> None:
    _edit(deploy_copy / "base/topics-job.yaml", "kind: Job", "kind: Jobb")
    with pytest.raises(ToolError, match="no schema"):
        validate_rendered(deploy_copy / "base")


def test_a_kustomization_naming_a_missing_file_is_refused(deploy_copy: Path) -> None:
    (deploy_copy / "base/sla.yaml").unlink()
    with pytest.raises(ToolError, match=r"sla\.yaml"):
        render(deploy_copy / "base")


# -- workloads ------------------------------------------------------------------------


def _container(pod: dict[str, Any]) -> dict[str, Any]:
    containers = pod["containers"]
    assert [c["name"] for c in containers] == ["switchboard"]
    container: dict[str, Any] = containers[0]
    return container


def _quantity(value: str) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return float(value[: -len(suffix)]) * factor
    return float(value)


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=IDS)
def test_every_deployment_has_probes_resources_a_budget_and_runs_unprivileged(
    directory: Path,
) -> None:
    budgets = objects(directory, "PodDisruptionBudget")
    deployments = objects(directory, "Deployment")
    assert {d["metadata"]["name"] for d in deployments} == {
        "switchboard-ingest",
        "switchboard-router",
        "switchboard-sla",
        "switchboard-partner-api",
    }
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        container = _container(pod)
        probes = {
            kind: (container[kind]["httpGet"]["path"], container[kind]["httpGet"]["port"])
            for kind in ("startupProbe", "livenessProbe", "readinessProbe")
        }
        assert probes == {
            "startupProbe": ("/health/live", "http"),
            "livenessProbe": ("/health/live", "http"),
            "readinessProbe": ("/health/ready", "http"),
        }, name
        assert container["ports"] == [{"name": "http", "containerPort": 8000}], name
        resources = container["resources"]
        for resource in ("cpu", "memory"):
            request = _quantity(resources["requests"][resource])
            limit = _quantity(resources["limits"][resource])
            assert 0 < request <= limit, f"{name} {resource}"
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, name
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
        assert pod["automountServiceAccountToken"] is False, name
        covering = [
            budget["metadata"]["name"]
            for budget in budgets
            if budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert covering == [name], f"{name} is covered by {covering}"


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=IDS)
def test_processes_run_modules_that_exist_with_the_config_mounted_where_settings_say(
    directory: Path,
) -> None:
    env = env_config_map(directory)
    config_dir = str(Path(env["SWITCHBOARD_CONFIG"]).parent)
    config = SwitchboardConfig.model_validate(yaml.safe_load(config_file_text(directory)))
    assert config.in_house_team_ids, "the config's teams load"
    images = set()
    for where, pod in pod_specs(directory).items():
        container = _container(pod)
        images.add(container["image"])
        module = container["args"][0]
        assert importlib.util.find_spec(module) is not None, where
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert volumes[mounts[config_dir]]["configMap"]["name"].startswith("switchboard-config-")
        config_refs = [ref for ref in container["envFrom"] if "configMapRef" in ref]
        assert [ref["configMapRef"]["name"] for ref in config_refs] == [
            next(
                d["metadata"]["name"]
                for d in objects(directory, "ConfigMap")
                if d["metadata"]["name"].startswith("switchboard-env-")
            )
        ], where
    assert len(images) == 1, f"one image for every process: {images}"


def _secret_references(directory: Path) -> set[str]:
    names: set[str] = set()
    for pod in pod_specs(directory).values():
        for volume in pod["volumes"]:
            if "secret" in volume:
                names.add(volume["secret"]["secretName"])
        for variable in _container(pod).get("env", []):
            if "secretKeyRef" in variable.get("valueFrom", {}):
                names.add(variable["valueFrom"]["secretKeyRef"]["name"])
        for source in _container(pod).get("envFrom", []):
            if "secretRef" in source:
                names.add(source["secretRef"]["name"])
    for auth in objects(directory, "TriggerAuthentication"):
        names |= {ref["name"] for ref in auth["spec"]["secretTargetRef"]}
    return names


@pytest.mark.parametrize("directory", KUSTOMIZATIONS, ids=IDS)
def test_every_secret_read_is_rendered_or_one_the_overlay_documents(directory: Path) -> None:
    rendered_secrets = {doc["metadata"]["name"] for doc in objects(directory, "Secret")}
    missing = _secret_references(directory) - rendered_secrets
    assert missing == EXTERNAL_SECRETS[directory.name]
    if directory.name != "base":
        documented = (directory / "kustomization.yaml").read_text() + (
            K8S / "README.md"
        ).read_text()
        for name in missing:
            assert name in documented, f"{directory.name}: how to get Secret {name}?"


@pytest.mark.parametrize("directory", OVERLAYS, ids=[p.name for p in OVERLAYS])
def test_kafka_over_sasl_ssl_with_scram_reads_credentials_from_secrets(directory: Path) -> None:
    env = env_config_map(directory)
    assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert "KAFKA_SASL_PASSWORD" not in env
    for where, pod in pod_specs(directory).items():
        container = _container(pod)
        variables = {v["name"]: v for v in container["env"]}
        for name in ("KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"):
            assert "secretKeyRef" in variables[name]["valueFrom"], f"{where} {name}"
        mounts = {m["mountPath"] for m in container["volumeMounts"]}
        assert str(Path(env["KAFKA_SSL_CAFILE"]).parent) in mounts, where


# -- autoscaling on consumer lag ------------------------------------------------------


def test_the_group_table_matches_the_code_and_the_architecture_document() -> None:
    in_code = set().union(*groups_in_code().values())
    assert in_code == set(GROUP_INPUTS)
    table = (REPO_ROOT / "docs/architecture.md").read_text()
    for group in GROUP_INPUTS:
        assert f"(`{group}`)" in table, group


@pytest.mark.parametrize("directory", OVERLAYS, ids=[p.name for p in OVERLAYS])
def test_scaled_objects_watch_the_services_groups_capped_by_partitions(directory: Path) -> None:
    env = env_config_map(directory)
    prefix = env["SWITCHBOARD_TOPIC_PREFIX"]
    partitions = {spec.name: spec.partitions for spec in all_topics()}
    inbound_partitions = sum(spec.partitions for spec in INBOUND.values())
    authentications = {a["metadata"]["name"] for a in objects(directory, "TriggerAuthentication")}
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in objects(directory, "ScaledObject")}
    assert set(scaled) == {"switchboard-ingest", "switchboard-router", "switchboard-sla"}
    for service, groups in groups_in_code().items():
        scaled_object = scaled[f"switchboard-{service}"]
        spec = scaled_object["spec"]
        deployment = one(directory, "Deployment", spec["scaleTargetRef"]["name"])
        assert "replicas" not in deployment["spec"], "KEDA owns the replica count"
        triggers = spec["triggers"]
        assert {t["metadata"]["consumerGroup"] for t in triggers} == {
            prefix + group for group in groups
        }
        caps = []
        for trigger in triggers:
            metadata = trigger["metadata"]
            assert trigger["type"] == "kafka"
            assert metadata["bootstrapServersFromEnv"] in env
            assert metadata["offsetResetPolicy"] == "earliest", "as the services' consumers"
            group = metadata["consumerGroup"].removeprefix(prefix)
            topic = GROUP_INPUTS[group]
            if topic is None:
                assert "topic" not in metadata
                caps.append(inbound_partitions)
            else:
                assert metadata["topic"] == prefix + topic
                caps.append(partitions[topic])
            assert 0 < int(metadata["lagThreshold"]) <= 1000, "below the ConsumerLagHigh alert"
            if env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL":
                assert trigger["authenticationRef"]["name"] in authentications
                assert (metadata["sasl"], metadata["tls"]) == ("scram_sha512", "enable")
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] <= min(caps)


# -- Strimzi --------------------------------------------------------------------------


STRIMZI = K8S / "overlays" / "strimzi"


def test_strimzi_users_cover_the_prefix_and_their_names_match_the_credentials() -> None:
    prefix = env_config_map(STRIMZI)["SWITCHBOARD_TOPIC_PREFIX"]
    users = {u["metadata"]["name"]: u for u in objects(STRIMZI, "KafkaUser")}
    for user in users.values():
        assert user["spec"]["authentication"]["type"] == "scram-sha-512"
        for acl in user["spec"]["authorization"]["acls"]:
            if acl["resource"]["type"] != "cluster":
                assert (acl["resource"]["name"], acl["resource"]["patternType"]) == (
                    prefix,
                    "prefix",
                )
    services = {
        acl["resource"]["type"]: set(acl["operations"])
        for acl in users["switchboard"]["spec"]["authorization"]["acls"]
    }
    assert services["topic"] >= {"Read", "Write", "Describe"}
    assert services["transactionalId"] >= {"Write", "Describe"}
    assert services["cluster"] >= {"Describe"}
    usernames = one(STRIMZI, "Secret", "switchboard-kafka-usernames")["data"]
    assert {base64.b64decode(v).decode() for v in usernames.values()} == set(users)
    cluster = {u["metadata"]["labels"]["strimzi.io/cluster"] for u in users.values()}
    assert len(cluster) == 1
    ca_secrets = {
        v["secret"]["secretName"]
        for pod in pod_specs(STRIMZI).values()
        for v in pod["volumes"]
        if v["name"] == "kafka-ca"
    }
    assert ca_secrets == {f"{cluster.pop()}-cluster-ca-cert"}


def test_strimzi_overlay_leaves_topics_to_the_topic_operator() -> None:
    assert objects(STRIMZI, "Job") == []
    assert objects(STRIMZI, "KafkaTopic")


def test_the_generated_manifests_are_current() -> None:
    generator = runpy.run_path(str(REPO_ROOT / "scripts/generate-k8s.py"))
    for path, text in generator["generated"]().items():
        assert path.read_text() == text, f"{path} is stale: run `make k8s-generated`"
