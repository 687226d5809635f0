"""The deadline index pops exactly what is due, earliest first, and drops stale entries,
checked against a plain dict of due instants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.sla.domain.deadlines import DeadlineIndex


def test_pops_what_is_due_earliest_first_and_nothing_else() -> None:
    due = {"a": 1_500, "b": 1_200, "c": 2_600}
    index = DeadlineIndex(bucket_ms=1000)
    for key, at in due.items():
        index.push(at, key)
    assert index.pop_due(1_100, due.get) == []
    assert index.pop_due(1_500, due.get) == ["b", "a"]
    assert index.pop_due(2_599, due.get) == []
    assert index.pop_due(10_000, due.get) == ["c"]


def test_an_entry_whose_key_moved_later_or_away_is_dropped() -> None:
    due: dict[str, int] = {"a": 1_000, "b": 1_000}
    index = DeadlineIndex(bucket_ms=1000)
    index.push(1_000, "a")
    index.push(1_000, "b")
    due["a"] = 5_000
    index.push(5_000, "a")
    del due["b"]
    assert index.pop_due(2_000, due.get) == []
    assert index.pop_due(5_000, due.get) == ["a"]


def test_limit_leaves_the_rest_for_the_next_call() -> None:
    due = {f"k{n}": 1_000 + n for n in range(10)}
    index = DeadlineIndex()
    for key, at in due.items():
        index.push(at, key)
    first = index.pop_due(5_000, due.get, limit=4)
    rest = index.pop_due(5_000, due.get)
    assert first == ["k0", "k1", "k2", "k3"]
    assert rest == [f"k{n}" for n in range(4, 10)]


def test_a_key_pushed_into_a_drained_bucket_is_not_lost() -> None:
    due = {"a": 1_900}
    index = DeadlineIndex(bucket_ms=1000)
    index.push(1_900, "a")
    assert index.pop_due(1_100, due.get) == []  # bucket 1 drained, "a" not yet due
    due["b"] = 1_200
    index.push(1_200, "b")
    assert index.pop_due(1_950, due.get) == ["b", "a"]


OPS = st.lists(
    st.tuples(
        st.sampled_from(["set", "drop", "pop"]),
        st.sampled_from([f"k{n}" for n in range(8)]),
        st.integers(0, 20_000),
    ),
    max_size=60,
)


@settings(deadline=None)  # timing is the benchmarks' business
@given(OPS, st.sampled_from([1, 100, 1000, 7000]))
def test_every_due_key_is_popped_once_it_is_due(
    ops: list[tuple[str, str, int]], bucket: int
) -> None:
    due: dict[str, int] = {}
    index = DeadlineIndex(bucket_ms=bucket)
    now = 0
    for op, key, value in ops:
        if op == "set":
            due[key] = value
            index.push(value, key)
        elif op == "drop":
            due.pop(key, None)
        else:
            now = max(now, value)
            popped = index.pop_due(now, due.get)
            expected = {k for k, at in due.items() if at <= now}
            assert set(popped) == expected
            assert len(popped) == len(set(popped))
            for k in popped:
                del due[k]  # handled: nothing more due for it
    popped = index.pop_due(10**9, due.get)
    assert set(popped) == set(due)
