"""A digest of everything ingest's domain produces, to prove a speed-up changed nothing.

    .venv/bin/python -m bench.ingest_outcomes [--days 7] [--messages 2000]

Not a benchmark: it runs the messages of ``bench/ingest_enrichment`` (each opening a
ticket, then a follow-up on it) and the simulated demo week (every message through the
thread stage with each customer's memory carried over), and hashes, per message, the
normalised message, the outcome's kind, every event's bytes on the wire and the
memory's stored bytes (or the rejection's kind and reason). Run it on two commits and
compare the digests: equal digests mean the same events and state, byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.ingest_enrichment import CONFIG, MAX_BYTES, NOW, Inbound, inbound_messages  # noqa: E402
from schemas.base import CustomerTier  # noqa: E402
from schemas.config import load_config  # noqa: E402
from schemas.config.ingest import IngestConfig  # noqa: E402
from services.ingest.domain.encoding import encode_memory  # noqa: E402
from services.ingest.domain.enrich import CustomerClassifier, Enricher  # noqa: E402
from services.ingest.domain.memory import CustomerMemory  # noqa: E402
from services.ingest.domain.threads import Outcome, take_message  # noqa: E402
from services.ingest.validation import InvalidPayloadError, accept  # noqa: E402
from switchboard.simulator import DEMO_FIRST_DAY, TrafficParams, day_range  # noqa: E402
from switchboard.simulator.traffic import generate_traffic  # noqa: E402


def _outcome_bytes(outcome: Outcome) -> Iterable[bytes]:
    yield outcome.kind.encode()
    for event in outcome.events:
        yield event.to_json_bytes()
    yield encode_memory(outcome.memory)


class Digest:
    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.records = 0

    def add(self, *chunks: bytes) -> None:
        for chunk in chunks:
            self._hash.update(len(chunk).to_bytes(8, "big"))
            self._hash.update(chunk)
        self.records += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def bench_messages(
    inbound: list[Inbound], classifier: CustomerClassifier, ingest: IngestConfig
) -> Digest:
    """Each bench message opens a ticket on an empty memory, then follows up on it."""
    digest = Digest()
    for index, item in enumerate(inbound):
        message = accept(item.channel, item.raw, MAX_BYTES, "inbound", ingest.languages)
        opened = take_message(None, message, NOW, classifier, ingest)
        digest.add(message.to_json_bytes(), *_outcome_bytes(opened))
        refs = message.thread_refs or [f"bench:{index}"]
        follow_up = message.model_copy(
            update={"source_message_id": f"{message.source_message_id}-f", "thread_refs": refs}
        )
        memory = opened.memory
        if not message.thread_refs:
            memory = take_message(
                None, message.model_copy(update={"thread_refs": refs}), NOW, classifier, ingest
            ).memory
        digest.add(*_outcome_bytes(take_message(memory, follow_up, NOW, classifier, ingest)))
    return digest


def simulated_week(
    start: datetime, end: datetime, classifier: CustomerClassifier, ingest: IngestConfig
) -> Digest:
    """Every simulated delivery through validation and the thread stage, in order."""
    digest = Digest()
    memories: dict[str, CustomerMemory] = {}
    for sim in generate_traffic(start, end):
        try:
            message = accept(
                sim.channel, sim.payload_bytes(), MAX_BYTES, "inbound", ingest.languages
            )
        except InvalidPayloadError as exc:
            digest.add(exc.kind.encode(), str(exc).encode())
            continue
        key = message.customer.customer_key
        outcome = take_message(memories.get(key), message, sim.at, classifier, ingest)
        memories[key] = outcome.memory
        digest.add(message.to_json_bytes(), *_outcome_bytes(outcome))
    return digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--days", type=int, default=7)
    args = parser.parse_args()
    ingest = load_config(CONFIG).ingest
    enricher = Enricher(ingest)
    enricher.warm_up()
    classifier = CustomerClassifier(enricher, (CustomerTier.STANDARD, ""))
    bench = bench_messages(inbound_messages(args.messages), classifier, ingest)
    print(f"bench messages  {bench.records:>6} records  {bench.hexdigest()}")
    last_day = DEMO_FIRST_DAY + timedelta(days=args.days - 1)
    start, end = day_range(DEMO_FIRST_DAY, last_day, TrafficParams().shop_timezone)
    week = simulated_week(start, end, classifier, ingest)
    print(f"simulated week  {week.records:>6} records  {week.hexdigest()}")


if __name__ == "__main__":
    main()
