"""Clocks of one ticket through its life: start, warnings, breaches, pauses, replies,
re-assignment, priority changes, marketplace deadlines, seasons and reopening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.base import Channel, CustomerTier, Priority, SlaMetric, TeamKind, derive_id
from services.sla.domain.clocks import Phase
from tests.unit.sla.clockwork import Clockwork
from tests.unit.sla.story import RULES, T0, Story

FR, NR, RES = SlaMetric.FIRST_RESPONSE, SlaMetric.NEXT_RESPONSE, SlaMetric.RESOLUTION
MINUTE = timedelta(minutes=1)


def started(story: Story, **opened: object) -> Clockwork:
    work = Clockwork(RULES)
    work.send(story.opened(0, **opened))  # type: ignore[arg-type]
    return work


def test_opening_starts_first_response_and_resolution_from_the_received_time() -> None:
    work = started(Story())
    assert work.deadline(FR) == T0 + timedelta(hours=4)
    assert work.deadline(RES) == T0 + timedelta(days=2)
    assert work.state.next_response.phase is Phase.IDLE


def test_warning_at_the_at_risk_share_then_breach_at_the_deadline_each_once() -> None:
    story = Story()
    work = started(story)
    for minutes in (191, 192, 193, 200, 239, 240, 241, 300, 1000):
        work.tick(T0 + minutes * MINUTE)
    assert work.kinds() == [("sla.at_risk", "first_response"), ("sla.breached", "first_response")]
    at_risk_time, at_risk = work.announced[0]
    assert at_risk_time == int((T0 + 192 * MINUTE).timestamp() * 1000)  # 80% of 4 h
    assert at_risk.used_share == 0.8  # type: ignore[union-attr]
    breach_time, breach = work.announced[1]
    assert breach_time == int((T0 + 240 * MINUTE).timestamp() * 1000)
    assert breach.event_id == derive_id("sla.breached", story.ticket_id, "first_response")
    assert breach.deadline == T0 + timedelta(hours=4)


def test_a_first_response_in_time_means_no_breach_ever() -> None:
    story = Story()
    work = started(story)
    work.send(story.assigned(1))
    work.send(story.first_response(239))
    work.tick(T0 + timedelta(days=1))
    assert work.breaches(FR) == []
    assert work.served == 1


def test_a_late_first_response_read_before_any_tick_still_reveals_the_breach() -> None:
    story = Story()
    work = started(story)
    work.send(story.first_response(250), now=T0 + timedelta(hours=6))  # read after a restart
    work.tick(T0 + timedelta(days=1))
    assert [b.metric for b in work.breaches()] == [FR]


def test_time_shown_by_another_event_counts_only_as_far_as_the_input_is_complete() -> None:
    # The customer writes after the deadline, but a reply from before it may still be on
    # its way (the watermark is 10 minutes before the deadline): no breach yet ...
    story = Story()
    work = started(story)
    work.send(story.customer_wrote(250), now=T0 + 250 * MINUTE, known=T0 + 230 * MINUTE)
    assert work.breaches() == []
    # ... the reply comes, stamped before the deadline, and there is none ever.
    work.send(story.first_response(239), now=T0 + 251 * MINUTE, known=T0 + 230 * MINUTE)
    work.tick(T0 + timedelta(days=1))
    assert work.breaches(FR) == []


def test_without_a_reply_the_timer_breaches_once_the_input_is_complete() -> None:
    story = Story()
    work = started(story)
    work.send(story.customer_wrote(250), now=T0 + 250 * MINUTE, known=T0 + 230 * MINUTE)
    work.tick(T0 + 250 * MINUTE, known=T0 + 239 * MINUTE)
    assert work.breaches() == []
    work.tick(T0 + 251 * MINUTE, known=T0 + 240 * MINUTE)
    assert [b.deadline for b in work.breaches(FR)] == [T0 + timedelta(hours=4)]


def test_an_event_the_watermark_already_passed_reveals_the_breach_itself() -> None:
    story = Story()
    work = started(story)
    work.send(story.customer_wrote(250), now=T0 + 250 * MINUTE, known=T0 + 245 * MINUTE)
    assert [b.metric for b in work.breaches()] == [FR]


def test_reassignment_does_not_reset_a_running_first_response_clock() -> None:
    story = Story()
    work = started(story)
    work.send(story.assigned(5, "tallinn-care", TeamKind.IN_HOUSE))
    work.send(story.released(100))
    work.send(story.assigned(180, "nearshore-bpo", TeamKind.PARTNER))
    assert work.deadline(FR) == T0 + timedelta(hours=4)
    work.tick(T0 + timedelta(hours=4))
    (breach,) = work.breaches(FR)
    assert (breach.team_id, breach.team_kind) == ("nearshore-bpo", TeamKind.PARTNER)


def test_a_rejected_offer_leaves_the_ticket_unassigned_for_its_breach() -> None:
    story = Story()
    work = started(story)
    work.send(story.assigned(5, "nearshore-bpo", TeamKind.PARTNER))
    work.send(story.rejected(10))
    work.tick(T0 + timedelta(hours=5))
    (breach,) = work.breaches(FR)
    assert breach.team_id is None
    assert breach.team_kind is None


def test_waiting_on_the_customer_pauses_resolution_until_the_customer_writes() -> None:
    story = Story()
    work = started(story)
    work.send(story.first_response(60, awaiting=True))  # 1 h of 48 used
    assert work.state.resolution.phase is Phase.PAUSED
    work.tick(T0 + timedelta(days=5))  # long customer silence: nothing due
    assert work.breaches() == []
    work.send(story.customer_wrote(60 * 24 * 5))
    resumed = T0 + timedelta(days=5)
    assert work.deadline(RES) == resumed + timedelta(hours=47)
    assert work.deadline(NR) == resumed + timedelta(hours=8)
    work.tick(resumed + timedelta(hours=47))
    assert sorted(b.metric.value for b in work.breaches()) == ["next_response", "resolution"]


def test_a_reply_that_does_not_wait_on_the_customer_resumes_resolution() -> None:
    story = Story()
    work = started(story)
    work.send(story.first_response(60, awaiting=True))
    work.send(story.replied(120, awaiting=False))  # 1 h paused, 1 h used
    assert work.deadline(RES) == T0 + timedelta(hours=49)


def test_each_customer_message_after_a_reply_opens_one_next_response_round() -> None:
    story = Story()
    work = started(story)
    work.send(story.first_response(10))
    work.send(story.customer_wrote(20))
    work.send(story.customer_wrote(30))  # still the same unanswered round
    assert work.deadline(NR) == T0 + 20 * MINUTE + timedelta(hours=8)
    work.send(story.replied(60))
    work.send(story.customer_wrote(70))
    work.tick(T0 + timedelta(hours=20))
    rounds = [b.event_id for b in work.breaches(NR)]
    assert rounds == [derive_id("sla.breached", story.ticket_id, "next_response", "2")]
    assert work.state.round == 2


def test_a_customer_message_before_the_first_response_starts_no_other_clock() -> None:
    story = Story()
    work = started(story)
    work.send(story.customer_wrote(30))
    assert work.state.next_response.phase is Phase.IDLE
    assert work.deadline(FR) == T0 + timedelta(hours=4)


def test_business_hours_skip_the_evening_and_the_closed_sunday() -> None:
    friday_4pm = datetime(2026, 10, 9, 13, 0, tzinfo=UTC)  # 16:00 in Tallinn
    story = Story(start=friday_4pm)
    work = started(story, tier=CustomerTier.LOYAL)
    # Friday 16:00-17:00, then Saturday 10:00-13:00 (Tallinn, UTC+3).
    assert work.deadline(FR) == datetime(2026, 10, 10, 10, 0, tzinfo=UTC)
    work.tick(datetime(2026, 10, 10, 9, 59, tzinfo=UTC))
    assert work.breaches() == []


def test_business_hours_clock_across_the_fall_back_night() -> None:
    # Shifts 01:00-06:00 in Tallinn; 2026-10-25 04:00 EEST becomes 03:00 EET.
    start = datetime(2026, 10, 24, 0, 0, tzinfo=UTC)  # 03:00 EEST: 3 h left that night
    work = started(Story(start=start), channel=Channel.PHONE)
    # Two more hours from 01:00 EEST (22:00 UTC) the next night.
    assert work.deadline(FR) == datetime(2026, 10, 25, 0, 0, tzinfo=UTC)


def test_business_hours_clock_across_the_spring_forward_night() -> None:
    # 2027-03-28 03:00 EET becomes 04:00 EEST.
    start = datetime(2027, 3, 27, 1, 0, tzinfo=UTC)  # 03:00 EET: 3 h left that night
    work = started(Story(start=start), channel=Channel.PHONE)
    # Two more hours from 01:00 EET (23:00 UTC): 01:00-03:00 EET is 23:00-01:00 UTC.
    assert work.deadline(FR) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_the_marketplace_deadline_wins_when_stricter() -> None:
    own = T0 + timedelta(hours=2)
    story = Story()
    work = started(story, channel=Channel.MARKETPLACE, marketplace="allegro", reply_deadline=own)
    assert work.deadline(FR) == own
    work.tick(own)
    (breach,) = work.breaches(FR)
    assert breach.deadline == own
    assert breach.policy_id == "marketplace"
    assert breach.budget_seconds == 7200


def test_the_policy_wins_when_the_marketplace_deadline_is_looser() -> None:
    work = started(
        Story(),
        channel=Channel.MARKETPLACE,
        marketplace="allegro",
        reply_deadline=T0 + timedelta(hours=24),
    )
    assert work.deadline(FR) == T0 + timedelta(hours=12)


def test_a_marketplace_deadline_already_past_breaches_at_once_without_a_warning() -> None:
    story = Story()
    work = started(story, channel=Channel.MARKETPLACE, reply_deadline=T0 - timedelta(minutes=5))
    work.tick(T0 + timedelta(seconds=1))
    assert work.kinds() == [("sla.breached", "first_response")]
    assert work.breaches()[0].deadline == T0 - timedelta(minutes=5)


def test_a_season_sets_the_targets_of_clocks_started_in_it() -> None:
    before = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # 22:00 in Tallinn, the day before
    story = Story(start=before)
    work = started(story)
    assert work.deadline(FR) == before + timedelta(hours=4)  # base policy
    work.send(story.first_response(60))
    work.send(story.customer_wrote(180))  # 01:00 in Tallinn: Black Friday week
    assert work.deadline(NR) == before + 180 * MINUTE + timedelta(hours=24)
    in_season = Story("t-2", start=datetime(2026, 11, 27, 8, 0, tzinfo=UTC))
    assert started(in_season).deadline(FR) == in_season.start + timedelta(hours=12)


def test_escalating_priority_retargets_the_running_clocks() -> None:
    story = Story()
    work = started(story)
    work.send(story.reprioritised(5, Priority.URGENT))
    assert work.deadline(FR) == T0 + timedelta(minutes=15)
    assert work.deadline(RES) == T0 + timedelta(hours=4)
    work.tick(T0 + 12 * MINUTE)
    work.tick(T0 + 15 * MINUTE)
    assert work.kinds() == [("sla.at_risk", "first_response"), ("sla.breached", "first_response")]
    assert work.breaches()[0].policy_id == "urgent"


def test_escalating_an_overdue_ticket_breaches_at_once_and_only_once() -> None:
    story = Story()
    work = started(story)
    work.send(story.reprioritised(30, Priority.URGENT))  # already 30 of 15 minutes
    work.tick(T0 + 30 * MINUTE)
    work.send(story.reprioritised(31, Priority.NORMAL))
    work.send(story.reprioritised(32, Priority.URGENT))
    work.tick(T0 + timedelta(hours=3))  # before urgent's 4 h resolution target
    assert [b.metric for b in work.breaches()] == [FR]
    assert work.breaches()[0].deadline == T0 + 15 * MINUTE


def test_a_marketplace_deadline_stays_when_escalation_is_looser() -> None:
    own = T0 + 10 * MINUTE
    story = Story()
    work = started(story, channel=Channel.MARKETPLACE, reply_deadline=own)
    work.send(story.reprioritised(1, Priority.URGENT))  # 15 minutes: looser than own
    assert work.deadline(FR) == own


def test_resolving_ends_the_clocks_and_reopening_starts_a_new_life() -> None:
    story = Story()
    work = started(story)
    work.send(story.first_response(10))
    work.send(story.resolved(20))
    assert work.clocks is None
    reopened = story.reopened(60 * 24 * 3)
    work.send(reopened)
    assert work.state.cycle == reopened.event_id.hex
    work.tick(T0 + timedelta(days=10))
    ids = {b.event_id for b in work.breaches()}
    assert ids == {
        derive_id("sla.breached", story.ticket_id, "next_response", "1", reopened.event_id.hex),
        derive_id("sla.breached", story.ticket_id, "resolution", reopened.event_id.hex),
    }
