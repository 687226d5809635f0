from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.messages = Counter(
            "switchboard_ingest_messages_total",
            "Inbound messages by channel and outcome (accepted, deduplicated, threaded, rejected).",
            ["channel", "outcome"],
            registry=registry,
        )
        self.rejected = Counter(
            "switchboard_ingest_rejected_total",
            "Inbound messages refused, by channel and reason.",
            ["channel", "reason"],
            registry=registry,
        )

        self.clock_skew = Counter(
            "switchboard_ingest_clock_skew_total",
            "Messages whose channel timestamp was too far ahead of ingest's clock and was "
            "replaced by the clock's time, by channel.",
            ["channel"],
            registry=registry,
        )

        self.control_characters = Counter(
            "switchboard_ingest_control_characters_total",
            "Control characters (C0 but tab and line ends, DEL, C1) removed from the free "
            "text of inbound messages when they were normalised, by channel.",
            ["channel"],
            registry=registry,
        )

    def count(self, channel: str, outcome: str) -> None:
        self.messages.labels(channel, outcome).inc()

    def reject(self, channel: str, reason: str) -> None:
        self.messages.labels(channel, "rejected").inc()
        self.rejected.labels(channel, reason).inc()
