"""deploy/kafka/kafka.sh refuses, with the way out, data a newer Kafka wrote."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.broker import free_port_pair

KAFKA_SH = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "kafka.sh"


def test_start_refuses_data_written_by_a_newer_kafka(tmp_path: Path) -> None:
    data = tmp_path / "kafka"
    data.mkdir()
    (data / ".kafka-sh-data-dir").write_text("kafka.sh data dir\n")
    (data / "kafka.version").write_text("99.1.0\n")
    port, controller_port = free_port_pair()
    env = {
        **os.environ,
        "KAFKA_DATA_DIR": str(data),
        "KAFKA_PORT": str(port),
        "KAFKA_CONTROLLER_PORT": str(controller_port),
    }
    env.pop("KAFKA_VERSION", None)
    result = subprocess.run(
        [str(KAFKA_SH), "start"], check=False, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "was written by Kafka 99.1.0, newer than" in result.stderr
    assert "kafka.sh reset" in result.stderr
    assert not (data / "kraft").exists(), "it formatted storage anyway"


def test_a_cluster_needs_ports_for_every_node_and_all_different(tmp_path: Path) -> None:
    env = {**os.environ, "KAFKA_NODES": "3", "KAFKA_DATA_DIR": str(tmp_path / "cluster")}
    env.pop("KAFKA_VERSION", None)

    def start(**ports: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(KAFKA_SH), "start"],
            check=False,
            env={**env, **ports},
            capture_output=True,
            text=True,
            timeout=60,
        )

    short = start(KAFKA_PORTS="19001,19003", KAFKA_CONTROLLER_PORTS="19002,19004,19006")
    assert short.returncode == 1
    assert "KAFKA_PORTS names 2 ports for 3 node(s)" in short.stderr
    clash = start(KAFKA_PORTS="19001,19003,19005", KAFKA_CONTROLLER_PORTS="19002,19003,19006")
    assert clash.returncode == 1
    assert "must all differ" in clash.stderr
    assert not (tmp_path / "cluster").exists(), "it prepared a data dir anyway"
