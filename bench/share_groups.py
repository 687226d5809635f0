"""What Kafka share groups (KIP-932) would give the in-house desk, measured on our broker.

Not part of ``python -m bench``: it needs confluent-kafka (``pip install
confluent-kafka==2.16.1``, whose ``ShareConsumer`` is a preview of librdkafka 2.16's
share consumer), which Switchboard does not depend on. It answers the questions that
decided the design (docs/architecture.md, "In-house agents"):

1. does a share group work against our broker (Kafka 4.2.2, default settings), and how
   long from a record's write to its delivery to one of eight consumers (p50/p99),
   against the same records read by a plain consumer (the baseline);
2. how long a record an agent holds stays its own: the broker's acquisition lock
   (``share.record.lock.duration.ms``, 30 s by default, at most 1 h) and, after it, the
   same record delivered to a second consumer while the first still works on it;
3. how long a record held by a killed consumer waits before another gets it.

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 python bench/share_groups.py
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import uuid

try:
    from confluent_kafka import Consumer, Producer, ShareConsumer
    from confluent_kafka.admin import AdminClient, NewTopic
except ImportError:  # pragma: no cover - an optional measurement
    sys.exit("needs confluent-kafka: pip install confluent-kafka==2.16.1")

BOOTSTRAP = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
RECORDS = 200


def _topic(partitions: int = 3) -> str:
    name = f"bench.share.{uuid.uuid4().hex[:8]}"
    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})
    for future in admin.create_topics([NewTopic(name, partitions, 1)]).values():
        future.result()
    return name


def _share(group: str, topic: str, mode: str = "implicit") -> ShareConsumer:
    consumer = ShareConsumer(
        {
            "bootstrap.servers": BOOTSTRAP,
            "group.id": group,
            "share.acknowledgement.mode": mode,
        }
    )
    consumer.subscribe([topic])
    return consumer


def _produce(topic: str, count: int) -> None:
    producer = Producer({"bootstrap.servers": BOOTSTRAP, "linger.ms": 0})
    for n in range(count):
        producer.produce(topic, key=str(n).encode(), value=str(time.time()).encode())
        producer.flush()
        time.sleep(0.01)


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"


def delivery_latency() -> None:
    topic, group = _topic(), f"bench-share-{uuid.uuid4().hex[:6]}"
    consumers = [_share(group, topic) for _ in range(8)]
    latencies: list[float] = []
    owners: dict[bytes, int] = {}
    stop = threading.Event()

    def work(index: int, consumer: ShareConsumer) -> None:
        while not stop.is_set():
            for message in consumer.poll(0.2):
                if message.error():
                    continue
                latencies.append(time.time() - float(message.value()))
                owners.setdefault(message.key(), index)

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(consumers)]
    for thread in threads:
        thread.start()
    time.sleep(10)  # the members join the share group
    _produce(topic, RECORDS)
    deadline = time.time() + 60
    while len(latencies) < RECORDS and time.time() < deadline:
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join()
    for consumer in consumers:
        consumer.close()

    plain = Consumer(
        {
            "bootstrap.servers": BOOTSTRAP,
            "group.id": uuid.uuid4().hex,
            "auto.offset.reset": "latest",
        }
    )
    baseline_topic = _topic()
    plain.subscribe([baseline_topic])
    for _ in range(20):
        plain.poll(0.5)
    baseline: list[float] = []
    threading.Thread(target=_produce, args=(baseline_topic, RECORDS)).start()
    deadline = time.time() + 60
    while len(baseline) < RECORDS and time.time() < deadline:
        message = plain.poll(0.2)
        if message is not None and not message.error():
            baseline.append(time.time() - float(message.value()))
    plain.close()
    workers = len(set(owners.values()))
    print(f"1. delivered {len(latencies)}/{RECORDS} to 8 share consumers, {workers} got work")
    print(f"   share group: {_percentiles(latencies)}")
    print(f"   baseline, a plain consumer: {_percentiles(baseline)}")


def lock_and_kill() -> None:
    topic, group = _topic(1), f"bench-share-{uuid.uuid4().hex[:6]}"
    first = _share(group, topic, "explicit")
    second = _share(group, topic, "explicit")
    for _ in range(10):
        first.poll(0.5)
        second.poll(0.5)
    _produce(topic, 1)
    held = None
    start = time.time()
    while held is None and time.time() - start < 30:
        for consumer in (first, second):
            for message in consumer.poll(0.2):
                if not message.error():
                    held, holder, other = (
                        message,
                        consumer,
                        (second if consumer is first else first),
                    )
    assert held is not None, "no delivery"
    acquired = time.time()
    # The holder keeps working on it: in explicit mode it may not even poll for more work
    # before it acknowledges (the client raises IllegalStateException). When does the
    # other consumer get the same record?
    again = None
    while again is None and time.time() - acquired < 120:
        for message in other.poll(0.2):
            if not message.error():
                again = time.time() - acquired
    if again is None:
        print("2. not redelivered within 120 s")
    else:
        print(
            f"2. a record held without acknowledgement went to a second consumer after "
            f"{again:.1f} s, while the first still held it"
        )
    holder.close()
    other.close()


if __name__ == "__main__":
    print(f"broker {BOOTSTRAP}")
    delivery_latency()
    lock_and_kill()
