"""Kafka security comes from settings only (environment variables): what the aiokafka
clients and the FastStream broker are given for each security protocol. The real
handshake against a SASL_SSL broker is tests/integration/test_kafka_sasl_ssl.py."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import pytest
import trustme
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from plumbing.kafka import _security, client_options
from plumbing.settings import ServiceSettings


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA(organization_name="Switchboard test CA")


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "ca.crt"
    ca.cert_pem.write_to_path(str(path))
    return path


def settings_from_env(monkeypatch: pytest.MonkeyPatch, **variables: str) -> ServiceSettings:
    """Settings as a deployment gives them: environment variables, nothing else."""
    for name in list(os.environ):
        if name.startswith("KAFKA_"):
            monkeypatch.delenv(name)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return ServiceSettings()


def _trusts(context: ssl.SSLContext) -> bool:
    """Whether ``context`` trusts the test CA (and so the broker certificates it signs)."""
    return any("Switchboard test CA" in str(cert["subject"]) for cert in context.get_ca_certs())


def test_sasl_ssl_with_scram_sha_512(
    monkeypatch: pytest.MonkeyPatch, ca: trustme.CA, ca_file: Path
) -> None:
    settings = settings_from_env(
        monkeypatch,
        KAFKA_BOOTSTRAP_SERVERS="kafka-0.example.com:9094",
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
        KAFKA_SASL_USERNAME="switchboard",
        KAFKA_SASL_PASSWORD="s3cret",
        KAFKA_SSL_CAFILE=str(ca_file),
    )
    options = client_options(settings, "switchboard-test")
    context = options.pop("ssl_context")
    assert options == {
        "bootstrap_servers": "kafka-0.example.com:9094",
        "client_id": "switchboard-test",
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "switchboard",
        "sasl_plain_password": "s3cret",
    }
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert _trusts(context)

    security = _security(settings)
    assert isinstance(security, SASLScram512)
    assert (security.username, security.password, security.use_ssl) == (
        "switchboard",
        "s3cret",
        True,
    )
    assert security.ssl_context is not None
    assert _trusts(security.ssl_context)


def test_the_password_never_shows_in_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_USERNAME="switchboard",
        KAFKA_SASL_PASSWORD="s3cret",
    )
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.model_dump())


def test_scram_sha_512_is_the_default_mechanism(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
        KAFKA_SASL_USERNAME="switchboard",
        KAFKA_SASL_PASSWORD="s3cret",
    )
    options = client_options(settings, "c")
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert "ssl_context" not in options
    security = _security(settings)
    assert isinstance(security, SASLScram512)
    assert security.use_ssl is False


@pytest.mark.parametrize(
    ("mechanism", "security_class"),
    [("SCRAM-SHA-256", SASLScram256), ("PLAIN", SASLPlaintext)],
)
def test_other_sasl_mechanisms(
    monkeypatch: pytest.MonkeyPatch, mechanism: str, security_class: type[BaseSecurity]
) -> None:
    settings = settings_from_env(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        KAFKA_SASL_MECHANISM=mechanism,
        KAFKA_SASL_USERNAME="switchboard",
        KAFKA_SASL_PASSWORD="s3cret",
    )
    assert client_options(settings, "c")["sasl_mechanism"] == mechanism
    assert type(_security(settings)) is security_class


def test_sasl_without_credentials_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(monkeypatch, KAFKA_SECURITY_PROTOCOL="SASL_SSL")
    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        client_options(settings, "c")
    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        _security(settings)


def test_mutual_tls_loads_the_client_certificate(
    monkeypatch: pytest.MonkeyPatch, ca: trustme.CA, ca_file: Path, tmp_path: Path
) -> None:
    client = ca.issue_cert("switchboard")
    certfile, keyfile = tmp_path / "user.crt", tmp_path / "user.key"
    client.cert_chain_pems[0].write_to_path(str(certfile))
    client.private_key_pem.write_to_path(str(keyfile))
    settings = settings_from_env(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SSL",
        KAFKA_SSL_CAFILE=str(ca_file),
        KAFKA_SSL_CERTFILE=str(certfile),
        KAFKA_SSL_KEYFILE=str(keyfile),
    )
    options = client_options(settings, "c")
    assert options["security_protocol"] == "SSL"
    assert not any(key.startswith("sasl") for key in options)
    assert _trusts(options["ssl_context"])
    security = _security(settings)
    assert type(security) is BaseSecurity
    assert security.ssl_context is not None


def test_a_missing_ca_file_fails_at_start_not_at_first_use(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = settings_from_env(
        monkeypatch,
        KAFKA_SECURITY_PROTOCOL="SSL",
        KAFKA_SSL_CAFILE=str(tmp_path / "missing.crt"),
    )
    with pytest.raises(FileNotFoundError):
        client_options(settings, "c")


def test_plaintext_has_no_tls_and_no_sasl(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_env(monkeypatch, KAFKA_SECURITY_PROTOCOL="PLAINTEXT")
    options = client_options(settings, "c")
    assert options["security_protocol"] == "PLAINTEXT"
    assert "ssl_context" not in options
    assert not any(key.startswith("sasl") for key in options)
    assert _security(settings) is None
