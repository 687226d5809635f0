"""The event-time watermark of an input partition (plumbing/watermark.py): examples, and
a simulated partition with writers, open transactions, outages and a lagging consumer,
against the one promise it makes: every record stamped before the watermark is applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from plumbing.watermark import Mark, PartitionWatermark

TICK = 0.1  # real seconds between looks
GRACE = 1.0


def look(book: PartitionWatermark, step: int, high: int | None, position: int | None) -> int | None:
    """One look at real time ``step`` x TICK; the clock reads the same in ms."""
    if high is None:
        book.lost()
    else:
        book.mark(Mark(at_ms=step * 100, real=step * TICK, high=high))
    return book.applied(position)


def test_nothing_is_known_before_the_grace_has_passed_on_answered_looks() -> None:
    book = PartitionWatermark(grace_seconds=GRACE)
    values = [look(book, step, high=10, position=10) for step in range(10)]
    assert values == [None] * 10  # 0.9 s of looks: less than the grace
    assert look(book, 10, high=10, position=10) == 0  # the first mark is 1 s old now
    assert look(book, 25, high=10, position=10) is not None


def test_an_idle_partition_trails_the_clock_by_the_grace() -> None:
    book = PartitionWatermark(grace_seconds=GRACE)
    for step in range(100):
        value = look(book, step, high=10, position=10)
    assert value == (99 - 10) * 100


def test_an_open_transaction_holds_the_watermark_at_its_start_until_it_ends() -> None:
    book = PartitionWatermark(grace_seconds=GRACE)
    for step in range(30):
        look(book, step, high=10, position=10)
    # At step 30 a transaction opens at offset 10 and a reply lands behind it at 11:
    # the consumer (read_committed) stops at 10 while the high watermark is 12.
    for step in range(30, 300):
        look(book, step, high=12, position=10)
    held = book.value_ms
    assert held is not None
    assert held < 30 * 100  # nothing from the transaction's start on is known
    look(book, 300, high=13, position=13)  # it committed: everything is read
    assert book.value_ms == held  # one look is not enough (the handler may lag)
    assert look(book, 301, high=13, position=13) == (301 - 10) * 100


def test_a_failed_look_starts_the_grace_again() -> None:
    book = PartitionWatermark(grace_seconds=GRACE)
    for step in range(50):
        look(book, step, high=5, position=5)
    before = book.value_ms
    look(book, 50, high=None, position=5)  # the broker did not answer
    for step in range(51, 60):
        assert look(book, step, high=5, position=5) == before
    assert look(book, 61, high=5, position=5) == 51 * 100


def test_looks_far_apart_count_as_a_gap() -> None:
    book = PartitionWatermark(grace_seconds=GRACE, max_gap_seconds=1.0)
    for step in range(20):
        look(book, step, high=5, position=5)
    before = book.value_ms
    assert look(book, 40, high=5, position=5) == before  # 2 s without a look
    assert look(book, 45, high=5, position=5) == before
    assert look(book, 50, high=5, position=5) == 40 * 100


def test_an_unknown_position_settles_nothing_and_the_watermark_never_goes_back() -> None:
    book = PartitionWatermark(grace_seconds=0.0)
    look(book, 0, high=3, position=3)
    assert look(book, 1, high=3, position=3) == 100
    assert look(book, 2, high=9, position=None) == 100
    assert look(book, 3, high=9, position=9) == 100  # settled on two looks only
    assert look(book, 4, high=9, position=9) == 400
    assert look(book, 5, high=9, position=4) == 400  # a position that went back


# -- a simulated partition -----------------------------------------------------------


@dataclass
class Partition:
    """One partition: writers whose records reach the log within the grace of answered
    time after their stamp, transactions that hold read_committed readers back, outages
    during which nothing is written and no look is answered."""

    log: list[int] = field(default_factory=list)  # stamp (ms) of each offset
    in_flight: list[tuple[int, float]] = field(default_factory=list)  # stamp, delay left
    open_transactions: list[int] = field(default_factory=list)  # first offsets
    position: int = 0
    down: bool = False

    @property
    def stable(self) -> int:
        return min(self.open_transactions, default=len(self.log))

    def advance(self, now_ms: int) -> None:
        """A tick of answered time: writes whose delay has passed reach the log."""
        if self.down:
            return
        left = []
        for stamp, delay in self.in_flight:
            if delay <= 0:
                self.log.append(stamp)
            else:
                left.append((stamp, delay - TICK))
        self.in_flight = left

    def act(self, kind: str, amount: int, now_ms: int) -> None:
        if kind == "write":
            self.in_flight.append((now_ms, amount * TICK))
        elif kind == "begin" and not self.down:
            self.open_transactions.append(len(self.log))
            self.log.append(now_ms)  # the transaction's first record, stamped now
        elif kind == "end" and self.open_transactions and not self.down:
            self.open_transactions.pop(0)
        elif kind == "end_all":
            self.open_transactions.clear()
            self.down = False
        elif kind in ("outage", "up"):
            self.down = kind == "outage"


def schedule(actions: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The actions with the ticks they last, then everything ends and time goes on."""
    steps: list[tuple[str, int]] = []
    for kind, amount in actions:
        steps.append((kind, amount))
        steps += [("tick", 0)] * (amount if kind in ("outage", "stall", "wait") else 1)
        steps += {"outage": [("up", 0)], "stall": [("go", 0)]}.get(kind, [])
    return [*steps, ("end_all", 0), *[("tick", 0)] * 40]


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.integers(0, int(GRACE / TICK) - 1)),
        st.tuples(st.just("write"), st.just(int(GRACE / TICK) - 1)),
        st.tuples(st.just("begin"), st.just(0)),
        st.tuples(st.just("end"), st.just(0)),
        st.tuples(st.just("outage"), st.integers(1, 40)),
        st.tuples(st.just("stall"), st.integers(1, 30)),
        st.tuples(st.just("wait"), st.integers(1, 30)),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(ACTIONS, st.booleans())
def test_every_record_stamped_before_the_watermark_is_applied(
    actions: list[tuple[str, int]], unknown_positions: bool
) -> None:
    # Outages shorter than the gap rule: a failed look alone must restart the grace.
    book = PartitionWatermark(grace_seconds=GRACE, max_gap_seconds=10.0)
    part = Partition()
    step = 0
    stalled = False
    for kind, amount in schedule(actions):
        now_ms = step * 100
        stalled = {"stall": True, "go": False}.get(kind, stalled)
        if kind != "tick":
            part.act(kind, amount, now_ms)
            continue
        part.advance(now_ms)
        if not stalled:
            part.position = part.stable
        position = None if unknown_positions and step % 7 == 0 else part.position
        value = look(book, step, None if part.down else len(part.log), position)
        if value is not None:
            missing = [s for s in part.log[part.position :] if s < value]
            missing += [s for s, _ in part.in_flight if s < value]
            assert not missing, f"stamped before {value} and not applied: {missing}"
        step += 1
    assert book.value_ms is not None
