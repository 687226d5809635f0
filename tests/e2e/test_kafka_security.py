"""Switchboard on a broker that requires SASL_SSL with SCRAM-SHA-512 and enforces ACLs,
configured through environment variables only, as deploy/k8s configures it.

A private broker (deploy/kafka/kafka.sh with KAFKA_EXTRA_CONFIG) gets a SASL_SSL
listener with a certificate from a test CA and Kafka's StandardAuthorizer. The user
`switchboard` gets exactly the ACLs of the Strimzi overlay's KafkaUser (the external
overlay documents the same). Then, as that user: `switchboard topics create` (the
topics Job) creates every topic, and the SLA service consumes, keeps its clocks and
announces a breach in Kafka transactions. A wrong password and a user without ACLs
are refused. The test itself feeds and reads the broker on its PLAINTEXT listener, as
a super user.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
import yaml
from aiokafka.admin import AIOKafkaAdminClient
from cryptography.hazmat.primitives import serialization

from schemas.config import load_config
from schemas.topics import all_topics
from tests.e2e.conftest import write_config
from tests.e2e.sla_support import Desk, breached_once, ids, now, sla_process
from tests.support.broker import HOST, KAFKA_SH, LocalBroker, free_port_pair

pytestmark = [pytest.mark.kafka, pytest.mark.e2e, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_USERS = REPO_ROOT / "deploy/k8s/overlays/strimzi/kafkausers.yaml"
SETUP_TOOL = REPO_ROOT / "tests/support/KafkaSecuritySetup.java"
PREFIX = "switchboard."
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class SecureBroker:
    broker: LocalBroker
    sasl_bootstrap: str
    ca_file: Path

    @property
    def plaintext_bootstrap(self) -> str:
        return self.broker.bootstrap


def _kafka_libs() -> Path:
    version = subprocess.run(
        [str(KAFKA_SH), "help"], capture_output=True, text=True, check=True
    ).stdout
    number = next(line.split()[1] for line in version.splitlines() if "KAFKA_VERSION " in line)
    return REPO_ROOT / ".cache" / "kafka" / number / "libs"


def _strimzi_acls(user: str) -> list[str]:
    """The user's ACLs from the Strimzi overlay, as KafkaSecuritySetup arguments."""
    users = {u["metadata"]["name"]: u for u in yaml.safe_load_all(KAFKA_USERS.read_text())}
    specs = []
    for acl in users[user]["spec"]["authorization"]["acls"]:
        resource: dict[str, Any] = acl["resource"]
        name = resource.get("name", "kafka-cluster")
        pattern = resource.get("patternType", "literal")
        specs.append(f"{resource['type']}:{pattern}:{name}:{','.join(acl['operations'])}")
    return specs


def _give(broker: SecureBroker, user: str, acls: list[str]) -> None:
    java = shutil.which("java")
    assert java, "java is required (scripts/setup-system.sh)"
    subprocess.run(
        [
            java,
            "-cp",
            f"{_kafka_libs()}/*",
            str(SETUP_TOOL),
            broker.plaintext_bootstrap,
            user,
            PASSWORD,
            *acls,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    directory = tmp_path_factory.mktemp("secure-kafka")
    ca = trustme.CA(organization_name="Switchboard test CA")
    ca_file = directory / "ca.crt"
    ca.cert_pem.write_to_path(str(ca_file))
    server = ca.issue_cert(HOST, "localhost")
    # Kafka's PEM key store: the private key in PKCS#8, then the certificate chain.
    key = serialization.load_pem_private_key(server.private_key_pem.bytes(), password=None)
    pkcs8 = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    keystore = directory / "broker.pem"
    keystore.write_bytes(pkcs8 + b"".join(blob.bytes() for blob in server.cert_chain_pems))
    port, controller_port = free_port_pair()
    sasl_port, _ = free_port_pair()
    jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;"
    extra = f"""
listeners=PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port},SASL_SSL://{HOST}:{sasl_port}
advertised.listeners=PLAINTEXT://{HOST}:{port},SASL_SSL://{HOST}:{sasl_port}
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config={jaas}
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location={keystore}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:ANONYMOUS
"""
    broker = LocalBroker(port, controller_port, directory / "data", extra_config=extra)
    broker.start()
    try:
        secure = SecureBroker(broker, f"{HOST}:{sasl_port}", ca_file)
        _give(secure, "switchboard", _strimzi_acls("switchboard"))
        _give(secure, "nobody", [])
        yield secure
    finally:
        broker.stop()
        broker.reset()


def _env(broker: SecureBroker, tmp_path: Path, user: str, password: str) -> dict[str, str]:
    """A deployment's environment: nothing about security but these variables."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": broker.sasl_bootstrap,
        "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "KAFKA_SASL_USERNAME": user,
        "KAFKA_SASL_PASSWORD": password,
        "KAFKA_SSL_CAFILE": str(broker.ca_file),
        "KAFKA_CONNECT_TIMEOUT_SECONDS": "10",
        "SWITCHBOARD_TOPIC_PREFIX": PREFIX,
        "SWITCHBOARD_CONFIG": str(write_config(tmp_path / "sla.yaml", first_response="PT10S")),
    }


def _topics_create(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "switchboard.cli", "topics", "create"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )


async def _topic_names(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_topics_and_a_service_work_with_scram_tls_and_the_documented_acls(
    secure_broker: SecureBroker, tmp_path: Path
) -> None:
    env = _env(secure_broker, tmp_path, "switchboard", PASSWORD)
    created = _topics_create(env)
    assert created.returncode == 0, created.stderr
    config = load_config(env["SWITCHBOARD_CONFIG"])
    wanted = {PREFIX + spec.name for spec in all_topics(config.in_house_team_ids)}
    assert wanted <= await _topic_names(secure_broker.plaintext_bootstrap)

    sla = sla_process(env, tmp_path / "logs")
    sla.start()
    try:
        sla.wait_ready(timeout=90)
        desk = Desk(secure_broker.plaintext_bootstrap, PREFIX)
        (ticket,) = ids("sasl", 1)
        await desk.open({ticket: now() + timedelta(seconds=2)})
        breaches = await desk.breaches(1, timeout=60, grace=1)
        assert breached_once(breaches) == {ticket: 1}
    finally:
        code = sla.terminate()
    # uvicorn re-raises SIGTERM after its graceful shutdown, hence -15.
    assert code in (0, -signal.SIGTERM)
    assert '"service stopped"' in sla.log_path.read_text()


def test_a_wrong_password_is_refused(secure_broker: SecureBroker, tmp_path: Path) -> None:
    refused = _topics_create(_env(secure_broker, tmp_path, "switchboard", "wrong password"))
    assert refused.returncode == 3
    assert "cannot reach Kafka" in refused.stderr
    assert "uthentication" in refused.stderr


def test_a_user_without_acls_is_refused(secure_broker: SecureBroker, tmp_path: Path) -> None:
    env = _env(secure_broker, tmp_path, "nobody", PASSWORD)
    env["SWITCHBOARD_TOPIC_PREFIX"] = "nobody."
    refused = _topics_create(env)
    assert refused.returncode == 3
    assert "TopicAuthorizationFailedError" in refused.stderr
