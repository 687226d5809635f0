"""docker-compose.yml cannot run here (no Docker engine), so it is checked offline: against
the Compose specification's JSON Schema (which must refuse a broken copy), and for what
the schema cannot know: every service runs something real, every file it mounts exists,
ports and variables are well formed, the services reach Kafka by its compose name,
Prometheus scrapes each of them, Grafana gets its datasource and the dashboard."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from switchboard.cli import build_parser
from tests.deploy.validators import compose_schema_errors

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE = REPO_ROOT / "docker-compose.yml"
PORT = re.compile(r"^(\d{1,5}):(\d{1,5})$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?-[^}]*)?\}")
SERVICES = ("ingest", "router", "sla", "partner-api")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return document


def _switchboard_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == "switchboard:latest"
    }


def test_valid_against_the_compose_specification() -> None:
    assert compose_schema_errors(COMPOSE) is None


@pytest.mark.parametrize(
    ("old", "new", "reported"),
    [
        ("condition: service_completed_successfully", "condition: finished", "condition"),
        ("stop_grace_period: 45s", "stop_grace_period: [45s]", "stop_grace_period"),
        ('ports: ["9090:9090"]', "portz: [9090]", "portz"),
    ],
)
def test_the_schema_check_refuses_a_broken_copy(
    tmp_path: Path, old: str, new: str, reported: str
) -> None:
    text = COMPOSE.read_text()
    assert old in text
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(old, new, 1))
    errors = compose_schema_errors(broken)
    assert errors is not None
    assert reported in errors


def test_every_service_has_an_image_or_a_buildable_context(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
        if "build" in service:
            context = REPO_ROOT / service["build"]["context"]
            assert (context / service["build"].get("dockerfile", "Dockerfile")).is_file(), name


def test_switchboard_services_run_modules_that_exist(compose: dict[str, Any]) -> None:
    commands = {name: s["command"] for name, s in _switchboard_services(compose).items()}
    assert {*SERVICES, "topics", "demo"} <= set(commands)
    for name, command in commands.items():
        module = command[0]
        assert importlib.util.find_spec(module) is not None, name
    assert commands["topics"][1:] == ["topics", "create"]
    assert commands["demo"][:2] == ["switchboard.cli", "demo"]
    # Its arguments are the command's own: a typo would only show in a container.
    args = build_parser().parse_args(commands["demo"][1:])
    assert args.no_browser
    assert str(args.out) == "/report"
    mounts = compose["services"]["demo"]["volumes"]
    assert any(m.endswith(":/report") for m in mounts)
    assert any(m.endswith(f":{args.config}:ro") for m in mounts)


def test_the_demo_runs_only_in_its_profile_once_the_topics_exist(compose: dict[str, Any]) -> None:
    profiled = {name for name, s in compose["services"].items() if s.get("profiles")}
    assert profiled == {"demo"}
    assert compose["services"]["demo"]["profiles"] == ["demo"]
    # It starts its own services on the simulated clock (the compose ones run on real
    # time), under a topic prefix of its own: it needs the broker, not them.
    assert set(compose["services"]["demo"]["depends_on"]) == {"topics"}
    environment = compose["services"]["demo"]["environment"]
    assert "SWITCHBOARD_CLOCK_SPEED" not in environment


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
            if source.startswith("./.run/"):
                continue  # an output directory (the demo's report), made by its user
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


def test_kafka_is_the_version_the_tests_run(compose: dict[str, Any]) -> None:
    script = (REPO_ROOT / "deploy/kafka/kafka.sh").read_text()
    version = re.search(r'KAFKA_VERSION="\$\{KAFKA_VERSION:-([0-9.]+)\}"', script)
    assert version
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{version.group(1)}"


def test_services_reach_kafka_by_its_compose_name(compose: dict[str, Any]) -> None:
    advertised = compose["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    for name, service in _switchboard_services(compose).items():
        bootstrap = service["environment"]["KAFKA_BOOTSTRAP_SERVERS"]
        assert f"PLAINTEXT://{bootstrap}" in advertised.split(","), name


def test_the_services_keep_their_config_and_run_hardened(compose: dict[str, Any]) -> None:
    for name, service in _switchboard_services(compose).items():
        config = service["environment"]["SWITCHBOARD_CONFIG"]
        assert f"./deploy/config/switchboard.yaml:{config}:ro" in service["volumes"], name
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name


def test_prometheus_scrapes_each_service_on_its_container_port(compose: dict[str, Any]) -> None:
    scrape = yaml.safe_load((REPO_ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        target
        for job in scrape["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    assert targets == {f"{name}:8000" for name in SERVICES}
    assert set(compose["services"]["prometheus"]["depends_on"]) >= set(SERVICES)


def _mount(service: dict[str, Any], host_path: str) -> str:
    for volume in service["volumes"]:
        source, target, *_ = str(volume).split(":")
        if source == host_path:
            return target
    raise AssertionError(f"{host_path} is not mounted")


def test_grafana_gets_the_compose_prometheus_and_the_dashboard(compose: dict[str, Any]) -> None:
    grafana = compose["services"]["grafana"]
    provisioning = REPO_ROOT / "deploy/grafana/provisioning"
    assert _mount(grafana, "./deploy/grafana/provisioning") == "/etc/grafana/provisioning"
    datasources = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())
    (datasource,) = datasources["datasources"]
    assert (datasource["type"], datasource["url"]) == ("prometheus", "http://prometheus:9090")
    assert datasource["isDefault"] is True
    providers = yaml.safe_load((provisioning / "dashboards/switchboard.yml").read_text())
    (provider,) = providers["providers"]
    dashboards = _mount(grafana, "./deploy/prometheus/grafana")
    assert provider["options"]["path"] == dashboards
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{dashboards}/switchboard-dashboard.json"
    assert (REPO_ROOT / "deploy/prometheus/grafana/switchboard-dashboard.json").is_file()
