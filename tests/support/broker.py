"""Real Apache Kafka brokers for the test suite, driven by ``deploy/kafka/kafka.sh``.

``session_bootstrap()`` gives the session its broker: ``$KAFKA_BOOTSTRAP_SERVERS``
when set (CI, or a broker you started yourself with ``deploy/kafka/kafka.sh start``),
else a private broker on free ports with its data in a temporary directory.
Tests that stop, kill or restart a broker (chaos, recovery) must use their own
``LocalBroker`` (see ``start_private_broker``), never the shared one; tests of a
three-node cluster start their own ``LocalCluster`` (``start_private_cluster``).

Every method shells out to ``kafka.sh`` and raises ``BrokerError`` carrying the
script's output (which includes the tail of the broker log) when it fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "KAFKA_SH",
    "BrokerError",
    "LocalBroker",
    "LocalCluster",
    "free_port_pair",
    "free_ports",
    "session_bootstrap",
    "start_private_broker",
    "start_private_cluster",
]

REPO_ROOT: Final = Path(__file__).resolve().parents[2]
KAFKA_SH: Final = REPO_ROOT / "deploy" / "kafka" / "kafka.sh"
HOST: Final = "127.0.0.1"

# "start" may first download the jars (empty cache) before its own 60 s readiness wait.
START_TIMEOUT_S: Final = 900.0
# kafka.sh escalates to SIGKILL after 30 s of controlled shutdown.
STOP_TIMEOUT_S: Final = 120.0
STATUS_RUNNING: Final = 0
STATUS_STOPPED: Final = 3


class BrokerError(RuntimeError):
    """``kafka.sh`` failed or timed out; the message includes its output."""


def _as_text(output: str | bytes | None) -> str:
    if output is None:
        return ""
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output


@dataclass(frozen=True)
class LocalBroker:
    """A single-node KRaft broker run by ``kafka.sh`` (identity: ports, data dir)."""

    port: int
    controller_port: int
    data_dir: Path
    #: Extra server.properties lines (``KAFKA_EXTRA_CONFIG``): more listeners, security.
    extra_config: str = ""
    #: Seconds ``start`` waits for readiness (``KAFKA_START_TIMEOUT``); None: kafka.sh's.
    start_timeout: float | None = None

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self) -> None:
        """Start, then wait until the broker answers metadata (no-op if running)."""
        self._run("start", timeout=START_TIMEOUT_S)

    def stop(self) -> None:
        """Controlled shutdown (SIGTERM, SIGKILL after 30 s); no-op if stopped."""
        self._run("stop", timeout=STOP_TIMEOUT_S)

    def kill(self) -> None:
        """Hard crash (SIGKILL); the data directory is kept."""
        self._run("kill", timeout=STOP_TIMEOUT_S)

    def restart(self) -> None:
        self._run("restart", timeout=STOP_TIMEOUT_S + START_TIMEOUT_S)

    def reset(self) -> None:
        """Stop and delete the data directory."""
        self._run("reset", timeout=STOP_TIMEOUT_S)

    def is_running(self) -> bool:
        result = self._run(
            "status", timeout=STOP_TIMEOUT_S, accept=(STATUS_RUNNING, STATUS_STOPPED)
        )
        return result.returncode == STATUS_RUNNING

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["KAFKA_PORT"] = str(self.port)
        env["KAFKA_CONTROLLER_PORT"] = str(self.controller_port)
        env["KAFKA_DATA_DIR"] = str(self.data_dir)
        env["KAFKA_EXTRA_CONFIG"] = self.extra_config
        if self.start_timeout is not None:
            env["KAFKA_START_TIMEOUT"] = str(int(self.start_timeout))
        return env

    def _run(
        self, command: str, *, timeout: float, accept: tuple[int, ...] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        return _kafka_sh(
            [command], self._env(), f"{self.bootstrap}, {self.data_dir}", timeout, accept
        )


@dataclass(frozen=True)
class LocalCluster:
    """KRaft nodes on localhost run by ``kafka.sh`` with ``KAFKA_NODES``: each a broker
    and a controller, replication factor 3 and ``min.insync.replicas`` 2 for every
    topic (the transaction state and consumer offsets included). Nodes count from 1."""

    ports: tuple[int, ...]
    controller_ports: tuple[int, ...]
    data_dir: Path
    #: Seconds a node may take to be ready (``KAFKA_START_TIMEOUT``): a node back from a
    #: SIGKILL recovers its logs and catches up first, slowly on a busy machine.
    start_timeout: float = 240.0

    @property
    def bootstrap(self) -> str:
        return ",".join(f"{HOST}:{port}" for port in self.ports)

    @property
    def nodes(self) -> range:
        return range(1, len(self.ports) + 1)

    def node_bootstrap(self, node: int) -> str:
        return f"{HOST}:{self.ports[node - 1]}"

    def start(self) -> None:
        """Start every node, then wait until the cluster lists them all."""
        self._run("start", timeout=START_TIMEOUT_S)

    def stop(self) -> None:
        self._run("stop", timeout=STOP_TIMEOUT_S)

    def reset(self) -> None:
        self._run("reset", timeout=STOP_TIMEOUT_S)

    def kill_node(self, node: int) -> None:
        """SIGKILL one node; its data is kept."""
        self._run("kill-node", str(node), timeout=STOP_TIMEOUT_S)

    def stop_node(self, node: int) -> None:
        self._run("stop-node", str(node), timeout=STOP_TIMEOUT_S)

    def start_node(self, node: int) -> None:
        """Start one node and wait until it is registered and answers."""
        self._run("start-node", str(node), timeout=START_TIMEOUT_S)

    def restart_node(self, node: int) -> None:
        """Controlled shutdown, start, then wait until no partition is under-replicated."""
        self._run("restart-node", str(node), timeout=STOP_TIMEOUT_S + START_TIMEOUT_S)

    def pid(self, node: int) -> int | None:
        try:
            return int((self.data_dir / f"node-{node}" / "kafka.pid").read_text())
        except (OSError, ValueError):
            return None

    def _run(
        self, *command: str, timeout: float, accept: tuple[int, ...] = (0,)
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env["KAFKA_NODES"] = str(len(self.ports))
        env["KAFKA_PORTS"] = ",".join(map(str, self.ports))
        env["KAFKA_CONTROLLER_PORTS"] = ",".join(map(str, self.controller_ports))
        env["KAFKA_DATA_DIR"] = str(self.data_dir)
        env["KAFKA_START_TIMEOUT"] = str(int(self.start_timeout))
        env.pop("KAFKA_EXTRA_CONFIG", None)
        return _kafka_sh(list(command), env, f"{self.bootstrap}, {self.data_dir}", timeout, accept)


def _kafka_sh(
    command: list[str], env: dict[str, str], what: str, timeout: float, accept: tuple[int, ...]
) -> subprocess.CompletedProcess[str]:
    try:
        result = subprocess.run(
            [str(KAFKA_SH), *command],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BrokerError(
            f"kafka.sh {' '.join(command)} ({what}) timed out after {timeout:.0f} s:\n"
            f"{_as_text(exc.output)}"
        ) from exc
    if result.returncode not in accept:
        raise BrokerError(
            f"kafka.sh {' '.join(command)} ({what}) "
            f"failed with exit code {result.returncode}:\n{result.stdout}"
        )
    return result


def free_ports(count: int) -> list[int]:
    """``count`` distinct TCP ports that were free on 127.0.0.1 a moment ago."""
    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            for _ in range(count)
        ]
        for sock in sockets:
            sock.bind((HOST, 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def free_port_pair() -> tuple[int, int]:
    """Two distinct TCP ports that were free on 127.0.0.1 a moment ago."""
    port, controller_port = free_ports(2)
    return port, controller_port


def start_private_broker(
    data_dir: Path, *, attempts: int = 3, start_timeout: float | None = None
) -> LocalBroker:
    """Start a broker on free ports with its data in ``data_dir``; the caller stops it.

    Retries on other ports when the ones picked were taken in the meantime.
    """
    for attempt in range(1, attempts + 1):
        port, controller_port = free_port_pair()
        broker = LocalBroker(port, controller_port, data_dir, start_timeout=start_timeout)
        try:
            broker.start()
        except BrokerError as exc:
            if "already in use" in str(exc) and attempt < attempts:
                continue
            with contextlib.suppress(BrokerError):
                broker.stop()  # in case the start timed out on our side with the JVM up
            raise
        return broker
    raise AssertionError("unreachable")  # pragma: no cover


def start_private_cluster(data_dir: Path, *, nodes: int = 3, attempts: int = 3) -> LocalCluster:
    """Start a cluster of ``nodes`` on free ports with its data in ``data_dir``; the
    caller stops it (``reset`` deletes the data)."""
    for attempt in range(1, attempts + 1):
        ports = free_ports(2 * nodes)
        cluster = LocalCluster(tuple(ports[:nodes]), tuple(ports[nodes:]), data_dir)
        try:
            cluster.start()
        except BrokerError as exc:
            with contextlib.suppress(BrokerError):
                cluster.stop()
            if "already in use" in str(exc) and attempt < attempts:
                continue
            raise
        return cluster
    raise AssertionError("unreachable")  # pragma: no cover


def session_bootstrap() -> tuple[str, LocalBroker | None]:
    """Bootstrap servers for the session, and the broker to stop afterwards (if any).

    ``$KAFKA_BOOTSTRAP_SERVERS`` wins (the broker is then not ours: ``None``).
    Otherwise a private broker is started with its data in a new temporary
    directory; call ``broker.reset()`` at the end to stop it and delete that
    directory.
    """
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if configured:
        return configured, None
    data_dir = Path(tempfile.mkdtemp(prefix="switchboard-kafka-"))
    try:
        broker = start_private_broker(data_dir)
    except BaseException:
        shutil.rmtree(data_dir, ignore_errors=True)
        raise
    return broker.bootstrap, broker
