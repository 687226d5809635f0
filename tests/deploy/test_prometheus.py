"""The operations pack in deploy/prometheus: Prometheus and Alertmanager accept their
configs, the alert rules pass their unit tests under the real ``promtool``, every alert
reaches the receivers it should (``amtool``), and the dashboard queries real metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from schemas.config import load_config
from services.router.metrics import RouterMetrics
from services.sla.metrics import SlaMetrics
from tests.conftest import SAMPLE_CONFIG

PACK = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
RULES = PACK / "rules" / "switchboard.yml"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run scripts/setup-system.sh (Debian package)")
    return path


def run(*command: str) -> str:
    result = subprocess.run(
        command, cwd=PACK, capture_output=True, text=True, timeout=60, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def alerts() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "alert" in rule]


def records() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"] if "record" in rule]


def test_prometheus_accepts_its_config_and_rules() -> None:
    output = run(tool("promtool"), "check", "config", "prometheus.yml")
    assert f"SUCCESS: {len(alerts()) + len(records())} rules found" in output


def test_alert_rules_pass_their_unit_tests() -> None:
    output = run(
        tool("promtool"), "test", "rules", *sorted(str(p) for p in PACK.glob("tests/*.yml"))
    )
    assert "SUCCESS" in output


def test_the_issue_s_alerts_exist_with_severity_area_and_summary() -> None:
    names = {rule["alert"] for rule in alerts()}
    assert {
        "SlaBreachRateHigh",
        "SlaAtRiskBacklogGrowing",
        "SlaForecastBelowTarget",
        "RouterPendingBacklog",
        "OutsourcingShareAboveContract",
        "ConsumerLagHigh",
        "DeadLetterQueueNotEmpty",
        "SwitchboardServiceDown",
    } <= names
    tested = (PACK / "tests" / "switchboard.test.yml").read_text()
    for rule in alerts():
        assert rule["labels"]["severity"] in {"page", "warning", "info"}, rule["alert"]
        assert rule["labels"]["area"] in {"sla", "routing", "platform"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert f"alertname: {rule['alert']}\n" in tested, f"{rule['alert']} has no unit test"


def test_rules_use_the_sla_metrics_by_the_names_the_service_exports() -> None:
    registry = CollectorRegistry()
    SlaMetrics(registry).start_counters_at_zero(load_config(SAMPLE_CONFIG).teams)
    families = list(registry.collect())
    exported = {family.name for family in families}  # gauges with no series yet too
    exported |= {sample.name for family in families for sample in family.samples}
    exported |= {name.removesuffix("_bucket") for name in exported}
    used = set(re.findall(r"switchboard_sla_\w+", RULES.read_text()))
    assert used, "no SLA metric in the rules"
    assert used <= exported, used - exported


def test_the_support_figures_use_the_metrics_the_services_export() -> None:
    """Recording rules and the dashboard read the router's and the SLA service's
    switchboard_support_* series by the names they export; every recording rule is
    unit-tested with promtool."""
    registry = CollectorRegistry()
    teams = load_config(SAMPLE_CONFIG).teams
    SlaMetrics(registry).start_counters_at_zero(teams)
    RouterMetrics(registry).start_support_at_zero(teams)
    exported = {sample.name for family in registry.collect() for sample in family.samples}
    used = set(re.findall(r"(?<![:\w])switchboard_support_\w+", RULES.read_text()))
    assert used, "no support metric in the rules"
    assert used <= exported, used - exported
    tested = (PACK / "tests" / "switchboard.test.yml").read_text()
    support = [r["record"] for r in records() if "switchboard_support" in r["record"]]
    dashboard = (PACK / "grafana" / "switchboard-dashboard.json").read_text()
    for name in support:
        assert name in dashboard, f"{name} is on no panel"
    assert any(name in tested for name in support)


@pytest.mark.parametrize(
    ("labels", "receivers"),
    [
        (
            "alertname=SlaBreachRateHigh severity=page area=sla team_kind=partner",
            "on-call-pager,partner-management,support-operations",
        ),
        (
            "alertname=SlaBreachRateHigh severity=page area=sla team_kind=in_house",
            "on-call-pager,support-operations",
        ),
        ("alertname=SlaForecastBelowTarget severity=warning area=sla", "workforce-planning"),
        ("alertname=RouterPendingBacklog severity=warning area=routing", "support-operations"),
        (
            "alertname=SwitchboardServiceDown severity=page area=platform",
            "on-call-pager,platform-team",
        ),
        ("alertname=DeadLetterQueueNotEmpty severity=warning area=platform", "platform-team"),
    ],
)
def test_alertmanager_routes_each_alert_to_its_owners(labels: str, receivers: str) -> None:
    amtool = tool("amtool")
    run(amtool, "check-config", "alertmanager.yml")
    output = run(
        amtool, "config", "routes", "test", "--config.file=alertmanager.yml", *labels.split()
    )
    assert output.splitlines()[0].strip() == receivers


def test_every_alert_routes_somewhere_other_than_the_default_only() -> None:
    amtool = tool("amtool")
    for rule in alerts():
        labels = [f"{k}={v}" for k, v in rule["labels"].items()] + [f"alertname={rule['alert']}"]
        output = run(amtool, "config", "routes", "test", "--config.file=alertmanager.yml", *labels)
        assert output.strip(), rule["alert"]


def test_the_dashboard_is_valid_json_with_queries_on_switchboard_metrics() -> None:
    dashboard = json.loads((PACK / "grafana" / "switchboard-dashboard.json").read_text())
    queries = [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    assert dashboard["uid"]
    assert len(queries) >= 20
    assert all("switchboard_" in query or query.startswith("up{") for query in queries)
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
