"""Start the services as real OS processes and supervise them.

Used by the demo, the end-to-end and chaos tests, and anyone running
Switchboard on one machine. Each service is ``python -m <module>`` with its own
HTTP port and a log file. ``Stack`` starts the three core services unless told
otherwise; the partner API is a process of its own that the demo adds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

SERVICES = ("ingest", "router", "sla")
PARTNER_API = "partner-api"
#: Every service the launcher knows, and the module each one runs.
MODULES = {
    "ingest": "services.ingest",
    "router": "services.router",
    "sla": "services.sla",
    PARTNER_API: "services.router.partner_api",
}
ALL_SERVICES = (*SERVICES, PARTNER_API)


class ServiceFailedError(RuntimeError):
    """A service exited or did not become ready; the message has its last log lines."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class ServiceProcess:
    name: str
    env: Mapping[str, str]
    http_port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> None:
        if self.running:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env, "HTTP_PORT": str(self.http_port), "LOG_FORMAT": "json"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", MODULES.get(self.name, f"services.{self.name}")],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServiceFailedError(
                    f"{self.name} exited with {self.process.returncode} while starting:\n"
                    f"{tail(self.log_path)}"
                )
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise ServiceFailedError(
            f"{self.name} not ready after {timeout:.0f} s:\n{tail(self.log_path)}"
        )

    def terminate(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (graceful), then SIGKILL if it does not exit in time."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def wait_exit(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout)


@dataclass
class Stack:
    """Services sharing one environment (broker, config, topic prefix, clock); the three
    core services by default, ``names=ALL_SERVICES`` for the partner API too."""

    env: Mapping[str, str]
    log_dir: Path
    names: Iterable[str] = SERVICES
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.names:
            self.services[name] = ServiceProcess(
                name=name,
                env=self.env,
                http_port=free_port(),
                log_path=self.log_dir / f"{name}.log",
            )

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def start(self, timeout: float = 90.0) -> None:
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            service.wait_ready(timeout)

    def stop(self) -> dict[str, int | None]:
        return {name: service.terminate() for name, service in self.services.items()}
