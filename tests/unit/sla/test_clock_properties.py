"""Invariants of the clocks over arbitrary ticket lives, checked against a simple model:
first response, next-response rounds and resolution with pauses, under a 24/7 policy
(4 h / 8 h / 48 h), with timer ticks at arbitrary moments in between."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from schemas.base import SlaMetric, derive_id
from schemas.sla import SlaAtRisk, SlaBreached
from services.sla.domain.clocks import to_ms
from tests.unit.sla.clockwork import Clockwork
from tests.unit.sla.story import RULES, Story

H = 3_600_000
FR_BUDGET, NR_BUDGET, RES_BUDGET = 4 * H, 8 * H, 48 * H
#: Outside the test config's season, so the default policy applies throughout.
EARLIEST = datetime(2027, 1, 10, tzinfo=UTC)

ACTIONS = st.sampled_from(["tick", "tick", "reply", "reply_wait", "customer", "assign", "release"])
GAPS = st.one_of(st.integers(0, 12 * 3600), st.sampled_from([0, 1, 4 * 3600, 8 * 3600]))
STEPS = st.lists(st.tuples(GAPS, ACTIONS), max_size=25)


@dataclass
class Model:
    """What should be breached, computed the plain way."""

    opened: int
    first_reply: int | None = None
    rounds: list[list[int | None]] = field(default_factory=list)  # [start, stop]
    res_used: int = 0
    res_running_since: int | None = None
    res_breach_at: int | None = None
    resolved: int | None = None

    def __post_init__(self) -> None:
        self.res_running_since = self.opened

    def _res_advance(self, now: int) -> None:
        running = self.res_running_since
        if (
            running is not None
            and self.res_breach_at is None
            and self.res_used + (now - running) >= RES_BUDGET
        ):
            self.res_breach_at = running + (RES_BUDGET - self.res_used)

    def reply(self, now: int, awaiting: bool) -> None:
        self._res_advance(now)
        if self.first_reply is None:
            self.first_reply = now
        elif self.rounds and self.rounds[-1][1] is None:
            self.rounds[-1][1] = now
        if awaiting and self.res_running_since is not None:
            self.res_used += now - self.res_running_since
            self.res_running_since = None
        elif not awaiting and self.res_running_since is None:
            self.res_running_since = now

    def customer(self, now: int) -> None:
        self._res_advance(now)
        if self.res_running_since is None:
            self.res_running_since = now
        if self.first_reply is not None and (not self.rounds or self.rounds[-1][1] is not None):
            self.rounds.append([now, None])

    def breaches(self, end: int) -> Counter[tuple[str, int]]:
        stop = self.resolved if self.resolved is not None else end
        self._res_advance(stop)
        expected: Counter[tuple[str, int]] = Counter()
        fr_stop = self.first_reply if self.first_reply is not None else stop
        if min(fr_stop, stop) >= self.opened + FR_BUDGET:
            expected["first_response", 0] += 1
        for number, (start, finish) in enumerate(self.rounds, start=1):
            assert start is not None
            if min(finish if finish is not None else stop, stop) >= start + NR_BUDGET:
                expected["next_response", number] += 1
        if self.res_breach_at is not None and self.res_breach_at <= stop:
            expected["resolution", 0] += 1
        return expected


@settings(max_examples=300, deadline=None)
@given(offset=st.integers(0, 200 * 24 * 3600), steps=STEPS, resolve=st.booleans())
def test_breaches_are_the_models_each_exactly_once(
    offset: int, steps: list[tuple[int, str]], resolve: bool
) -> None:
    start = EARLIEST + timedelta(seconds=offset)
    story = Story(start=start)
    work = Clockwork(RULES)
    work.send(story.opened(start))
    model = Model(opened=to_ms(start))
    now = start
    ticks: list[int] = []
    for gap, action in steps:
        now += timedelta(seconds=gap)
        at = to_ms(now)
        if action == "tick":
            work.tick(now)
            ticks.append(at)
        elif action in ("reply", "reply_wait"):
            awaiting = action == "reply_wait"
            first = model.first_reply is None
            work.send(
                story.first_response(now, awaiting=awaiting)
                if first
                else story.replied(now, awaiting=awaiting)
            )
            model.reply(at, awaiting)
        elif action == "customer":
            work.send(story.customer_wrote(now))
            model.customer(at)
        elif action == "assign":
            work.send(story.assigned(now))
        else:
            work.send(story.released(now))
    if resolve:
        now += timedelta(minutes=1)
        work.send(story.resolved(now))
        model.resolved = to_ms(now)
    end = now + timedelta(days=30)
    work.tick(end)

    rounds = {event.event_id: event for _, event in work.announced}
    assert len(rounds) == len(work.announced), "an announcement was repeated"
    announced: Counter[tuple[str, int]] = Counter()
    for _, event in work.announced:
        if isinstance(event, SlaBreached):
            announced[event.metric.value, _round(work, event)] += 1
    assert announced == model.breaches(to_ms(end))

    for at, event in work.announced:
        deadline = to_ms(event.deadline)
        if isinstance(event, SlaBreached):
            assert at >= deadline, "breached before the deadline"
        else:
            assert at < deadline
            assert 0.8 <= event.used_share < 1.0
            later = [
                t
                for t, other in work.announced
                if isinstance(other, SlaBreached) and _same_clock(work, other, event)
            ]
            assert all(t >= at for t in later), "warned after the breach"


def _round(work: Clockwork, event: SlaAtRisk | SlaBreached) -> int:
    """The next-response round an announcement belongs to (0 for other metrics)."""
    if event.metric is not SlaMetric.NEXT_RESPONSE:
        return 0
    for number in range(1, 50):
        if event.event_id == derive_id(event.type, event.ticket_id, "next_response", str(number)):
            return number
    raise AssertionError("next-response announcement of no round")


def _same_clock(work: Clockwork, a: SlaAtRisk | SlaBreached, b: SlaAtRisk | SlaBreached) -> bool:
    return a.metric is b.metric and _round(work, a) == _round(work, b)


def test_the_model_itself_breaches_an_ignored_ticket_on_every_started_clock() -> None:
    model = Model(opened=0)
    model.reply(H, awaiting=False)
    model.customer(2 * H)
    assert model.breaches(100 * H) == Counter({("next_response", 1): 1, ("resolution", 0): 1})


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)))
def test_milliseconds_round_down_so_nothing_is_due_before_its_instant(naive: datetime) -> None:
    moment = naive.replace(tzinfo=UTC)
    ms = to_ms(moment)
    below = moment - datetime.fromtimestamp(0, UTC) - timedelta(milliseconds=ms)
    assert timedelta(0) <= below < timedelta(milliseconds=1)
