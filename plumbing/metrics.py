"""Prometheus metrics every stream processor exports, whatever its business."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ProcessorMetrics:
    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self.service = service
        self.records = Counter(
            "switchboard_records_processed_total",
            "Input records processed, by outcome (ok or dead_letter).",
            ["service", "topic", "outcome"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "switchboard_dead_letters_total",
            "Records sent to a dead-letter topic, by reason.",
            ["service", "topic", "reason"],
            registry=registry,
        )
        self.transactions = Counter(
            "switchboard_transactions_total",
            "Kafka transactions, by outcome (committed or failed).",
            ["service", "outcome"],
            registry=registry,
        )
        self.transaction_seconds = Histogram(
            "switchboard_transaction_seconds",
            "Time a transaction's commit took (changelog, offsets, acknowledgements, EndTxn).",
            ["service"],
            buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=registry,
        )
        self.transaction_records = Histogram(
            "switchboard_transaction_records",
            "Input records a committed transaction held (0: timer work only).",
            ["service"],
            buckets=(0, 1, 5, 20, 50, 100, 250, 500, 1000, 2000, 5000),
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "switchboard_consumer_lag",
            "Records the broker holds past this consumer's position (sampled every few "
            "seconds and after each committed batch).",
            ["service", "group", "topic", "partition"],
            registry=registry,
        )
        self.consumer_position = Gauge(
            "switchboard_consumer_position",
            "Offset of the next record this consumer reads, per input partition owned.",
            ["service", "group", "topic", "partition"],
            registry=registry,
        )
        self.partitions_owned = Gauge(
            "switchboard_partitions_owned",
            "Input partitions this instance owns and has restored.",
            ["service", "topic"],
            registry=registry,
        )
        self.restore_seconds = Histogram(
            "switchboard_state_restore_seconds",
            "Time to restore one partition's state from its changelog.",
            ["service"],
            buckets=(0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120),
            registry=registry,
        )
        self.restored_records = Counter(
            "switchboard_state_restored_records_total",
            "Changelog records read while restoring state.",
            ["service"],
            registry=registry,
        )
        self.recoveries = Counter(
            "switchboard_partition_recoveries_total",
            "Partitions reset to their last committed state after a failed transaction.",
            ["service", "topic"],
            registry=registry,
        )
