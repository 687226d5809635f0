"""A real Prometheus (the Debian package's binary) scrapes the three running services,
evaluates the shipped alert rules, and reports the breach alert firing through its own
HTTP API once unanswered tickets breach.

The rules are the shipped ones with one change: every ``for:`` is 0s, so the test does
not wait out the pending periods (their effect is covered by the promtool unit tests).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from schemas.tickets import TICKET_EVENT, TicketAssigned
from switchboard.launcher import Stack, free_port
from tests.e2e.test_walking_skeleton import email
from tests.support.kafka_io import produce, read_to_end

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "rules" / "switchboard.yml"


@pytest.fixture
def prometheus(stack: Stack, tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is not installed: run scripts/setup-system.sh")
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule["for"] = "0s"
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(tmp_path / "rules.yml")],
        "scrape_configs": [
            {
                "job_name": f"switchboard-{name}",
                "static_configs": [
                    {
                        "targets": [f"127.0.0.1:{service.http_port}"],
                        "labels": {"service": name},
                    }
                ],
            }
            for name, service in stack.services.items()
        ],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = (tmp_path / "prometheus.log").open("wb")
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=1h",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


async def query(client: httpx.AsyncClient, url: str, path: str) -> Any:
    response = await client.get(f"{url}{path}")
    response.raise_for_status()
    return response.json()["data"]


async def test_unanswered_tickets_make_the_breach_alert_fire(
    stack: Stack, stack_env: dict[str, str], prometheus: str
) -> None:
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    prefix = stack_env["SWITCHBOARD_TOPIC_PREFIX"]
    async with httpx.AsyncClient(timeout=5) as client:
        for _ in range(60):  # Prometheus up and every service scraped
            try:
                targets = await query(client, prometheus, "/api/v1/targets")
            except httpx.HTTPError:
                targets = {"activeTargets": []}
            if len(targets["activeTargets"]) == 3 and all(
                target["health"] == "up" for target in targets["activeTargets"]
            ):
                break
            await asyncio.sleep(0.5)
        else:
            pytest.fail(f"Prometheus never scraped the three services: {targets}")

        before = await query(client, prometheus, "/api/v1/alerts")
        assert not [a for a in before["alerts"] if a["labels"]["alertname"] == "SlaBreachRateHigh"]

        await produce(
            bootstrap,
            f"{prefix}inbound.email",
            [
                (None, email(f"<unanswered-{n}@example.com>", f"c{n}@example.com", "Late parcel"))
                for n in range(5)
            ],
        )
        firing: list[dict[str, Any]] = []
        for _ in range(120):  # breaches come 8 s after the tickets open
            alerts = (await query(client, prometheus, "/api/v1/alerts"))["alerts"]
            firing = [
                a
                for a in alerts
                if a["labels"]["alertname"] == "SlaBreachRateHigh" and a["state"] == "firing"
            ]
            if firing:
                break
            await asyncio.sleep(0.5)

    assert firing, "the breach alert never fired"
    labels = firing[0]["labels"]
    # Which team gets them depends on the hour the test runs (team working hours):
    # the alert must name the team and kind the router actually chose (every assignment
    # committed before its breach was announced: read all of them, however long it takes).
    tickets = await read_to_end(bootstrap, [f"{prefix}tickets"])
    chosen = {
        (event.team_id, event.team_kind.value)
        for event in (TICKET_EVENT.validate_json(r.value) for r in tickets)
        if isinstance(event, TicketAssigned)
    }
    assert (labels["team_id"], labels["team_kind"]) in chosen
    assert labels["severity"] == "page"
    assert labels["team_id"] in firing[0]["annotations"]["summary"]
