"""Settings every service reads from its environment."""

from __future__ import annotations

import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, AwareDatetime, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Environment variables shared by all services; each service adds its own."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None
    kafka_replication_factor: int = Field(default=1, ge=1)
    kafka_connect_timeout_seconds: float = Field(default=20.0, gt=0)
    kafka_commit_interval_ms: int = Field(
        default=100,
        ge=0,
        description="How long a partition's transaction stays open before it commits (its "
        "outputs, state changes and input offsets); 0 commits after every fetch.",
    )
    kafka_max_transaction_records: int = Field(
        default=2000,
        ge=1,
        description="Commit earlier once a partition's open transaction holds this many "
        "input records.",
    )
    kafka_session_timeout_ms: int = Field(
        default=10_000,
        ge=1000,
        description="How long the group waits for a processor's heartbeat before it drops "
        "the member. aiokafka sends none while partitions are being restored (the "
        "rebalance listener), so a restore must finish within it.",
    )
    kafka_unavailable_exit_after_seconds: float = Field(
        default=90.0,
        gt=0,
        description="After this long without a broker, exit non-zero so a supervisor restarts "
        "the process; until then keep retrying.",
    )

    config_path: Path = Field(
        default=Path("deploy/config/switchboard.yaml"),
        validation_alias=AliasChoices("SWITCHBOARD_CONFIG", "config_path"),
    )
    topic_prefix: str = Field(
        default="",
        pattern=r"^[A-Za-z0-9._-]*$",
        validation_alias=AliasChoices("SWITCHBOARD_TOPIC_PREFIX", "topic_prefix"),
    )
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    instance_id: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")

    clock_speed: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices("SWITCHBOARD_CLOCK_SPEED", "clock_speed"),
        description="Simulated seconds per real second; 1 in production.",
    )
    clock_sim_start: AwareDatetime | None = Field(
        default=None,
        validation_alias=AliasChoices("SWITCHBOARD_CLOCK_SIM_START", "clock_sim_start"),
        description="Simulated time at the moment SWITCHBOARD_CLOCK_REAL_START.",
    )
    clock_real_start: float | None = Field(
        default=None,
        validation_alias=AliasChoices("SWITCHBOARD_CLOCK_REAL_START", "clock_real_start"),
        description="Unix time at which the simulated clock read SWITCHBOARD_CLOCK_SIM_START.",
    )

    clock_file: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("SWITCHBOARD_CLOCK_FILE", "clock_file"),
        description="A lockstep clock's file: simulated time that a driver (the demo) moves "
        "step by step, read on every now(); overrides the scaled clock.",
    )

    def topic(self, logical_name: str) -> str:
        """The full name of a topic in this deployment."""
        return f"{self.topic_prefix}{logical_name}"

    def group(self, name: str) -> str:
        """Consumer group ids share the topic prefix, so deployments never collide."""
        return f"{self.topic_prefix}{name}"

    def uses_scaled_clock(self) -> bool:
        return self.clock_speed != 1.0 or self.clock_sim_start is not None

    def sim_start(self) -> datetime | None:
        return self.clock_sim_start
