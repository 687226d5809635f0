"""The project's own local broker (deploy/kafka/kafka.sh), for the demo and the CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
KAFKA_SH = REPO_ROOT / "deploy" / "kafka" / "kafka.sh"
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


def ensure_local_kafka() -> str:
    """``$KAFKA_BOOTSTRAP_SERVERS`` if set; else start (or reuse) the local broker."""
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if configured:
        return configured
    subprocess.run([str(KAFKA_SH), "start"], check=True)
    return DEFAULT_BOOTSTRAP
