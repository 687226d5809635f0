from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from switchboard.launcher import Stack
from tests.conftest import SAMPLE_CONFIG


def write_config(path: Path, *, first_response: str) -> Path:
    """The sample config with every first-response target set to ``first_response``, in
    calendar hours (whatever the date, season or business calendar)."""
    config = yaml.safe_load(SAMPLE_CONFIG.read_text())
    sla = config["sla"]
    for policy in [*sla["policies"], *(p for s in sla.get("seasons", []) for p in s["policies"])]:
        policy["first_response"] = first_response
        policy.pop("business_hours", None)
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def stack_env(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "SWITCHBOARD_TOPIC_PREFIX": topic_prefix,
        "SWITCHBOARD_CONFIG": str(
            write_config(tmp_path / "switchboard.yaml", first_response="PT8S")
        ),
    }


@pytest.fixture
def stack(stack_env: dict[str, str], tmp_path: Path) -> Iterator[Stack]:
    services = Stack(env=stack_env, log_dir=tmp_path / "logs")
    try:
        services.start()
        yield services
    finally:
        codes = services.stop()
        for name, code in codes.items():
            # uvicorn re-raises SIGTERM after its graceful shutdown, hence -15.
            assert code in (0, -signal.SIGTERM), f"{name} exited with {code} on SIGTERM"
            assert '"service stopped"' in services[name].log_path.read_text(), (
                f"{name} did not finish its graceful shutdown"
            )
