"""docker-compose.yml cannot run here (no Docker engine), so its structure is checked
offline: every service runs something real, every file it mounts exists, every port
and variable is well formed, and the services it builds are importable modules."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE = REPO_ROOT / "docker-compose.yml"
PORT = re.compile(r"^(\d{1,5}):(\d{1,5})$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-[^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def test_every_service_has_an_image_or_a_buildable_context(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            context = REPO_ROOT / service["build"]["context"]
            assert (context / service["build"].get("dockerfile", "Dockerfile")).is_file(), name


def test_switchboard_services_run_modules_that_exist(compose: dict[str, Any]) -> None:
    commands = {
        name: service["command"]
        for name, service in compose["services"].items()
        if service.get("image") == "switchboard:latest"
    }
    assert {"ingest", "router", "sla", "topics"} <= set(commands)
    for name, command in commands.items():
        assert importlib.util.find_spec(command[0]) is not None, f"{name}: {command[0]}"
    assert commands["topics"][1:] == ["topics", "create"]


def test_ports_are_host_to_container_pairs_and_unique(compose: dict[str, Any]) -> None:
    host_ports: list[int] = []
    for name, service in compose["services"].items():
        for mapping in service.get("ports", []):
            match = PORT.match(str(mapping))
            assert match, f"{name}: {mapping!r}"
            host_ports.append(int(match.group(1)))
    assert len(host_ports) == len(set(host_ports))


def test_mounted_files_exist(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./"):
                assert (REPO_ROOT / source).exists(), f"{name}: {source}"
            else:
                assert source in compose.get("volumes", {}), f"{name}: undeclared {source}"


def test_dependencies_name_defined_services(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        depends = service.get("depends_on", [])
        for dependency in depends if isinstance(depends, list) else depends.keys():
            assert dependency in compose["services"], f"{name} -> {dependency}"


def test_variables_have_defaults(compose: dict[str, Any]) -> None:
    for name, default in VARIABLE.findall(COMPOSE.read_text()):
        assert default.startswith((":-", "-")), f"${{{name}}} has no default"


def test_services_reach_kafka_by_its_compose_name(compose: dict[str, Any]) -> None:
    advertised = compose["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    for name in ("ingest", "router", "sla", "partner-api", "topics"):
        bootstrap = compose["services"][name]["environment"]["KAFKA_BOOTSTRAP_SERVERS"]
        assert f"PLAINTEXT://{bootstrap}" == advertised, name


def test_prometheus_scrapes_each_service_on_its_container_port(compose: dict[str, Any]) -> None:
    scrape = yaml.safe_load((REPO_ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        target
        for job in scrape["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    assert targets == {"ingest:8000", "router:8000", "sla:8000", "partner-api:8000"}
