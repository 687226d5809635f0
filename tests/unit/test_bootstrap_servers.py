"""Several bootstrap addresses in KAFKA_BOOTSTRAP_SERVERS reach every client: a cluster
needs nothing but settings."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from plumbing.kafka import client_options, make_broker
from plumbing.settings import ServiceSettings

CLUSTER = "127.0.0.1:19092, 127.0.0.1:19094,127.0.0.1:19096"


def test_the_faststream_broker_gets_every_address() -> None:
    settings = ServiceSettings(kafka_bootstrap_servers=CLUSTER)
    broker = make_broker(settings, "test", CollectorRegistry())
    assert broker._connection_kwargs["bootstrap_servers"] == [
        "127.0.0.1:19092",
        "127.0.0.1:19094",
        "127.0.0.1:19096",
    ]


def test_aiokafka_clients_get_the_list_as_kafka_writes_it() -> None:
    # aiokafka splits it itself (aiokafka.conn.collect_hosts).
    options = client_options(ServiceSettings(kafka_bootstrap_servers=CLUSTER), "test")
    assert options["bootstrap_servers"] == CLUSTER
