"""Follow-ups and duplicate deliveries, per channel."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.base import Channel


@dataclass(frozen=True)
class FollowUpShape:
    """How a customer writes again in the same thread.

    ``first_share`` is the chance of at least one follow-up, ``again_share`` the
    chance of one more after each; delays are log-normal around the median.
    """

    first_share: float
    again_share: float
    max_follow_ups: int
    median_delay_minutes: float
    delay_sigma: float


FOLLOW_UPS: dict[Channel, FollowUpShape] = {
    # Chasers when no answer came: hours for email, a day for a phone call back.
    Channel.EMAIL: FollowUpShape(0.28, 0.3, 3, 360.0, 1.0),
    # The next lines of a chat conversation come within a minute or two.
    Channel.CHAT: FollowUpShape(0.55, 0.45, 4, 1.0, 0.7),
    Channel.PHONE: FollowUpShape(0.12, 0.15, 2, 1440.0, 0.6),
    Channel.SOCIAL: FollowUpShape(0.22, 0.25, 3, 120.0, 1.0),
    Channel.MARKETPLACE: FollowUpShape(0.3, 0.25, 3, 480.0, 0.9),
}

#: Share of messages a connector delivers twice (webhook retries, polling
#: connectors re-reading a page, an IMAP fetch repeated after a timeout).
DUPLICATE_SHARE: dict[Channel, float] = {
    Channel.EMAIL: 0.015,
    Channel.CHAT: 0.01,
    Channel.PHONE: 0.005,
    Channel.SOCIAL: 0.02,
    Channel.MARKETPLACE: 0.03,
}
#: A retry comes seconds later; a connector replaying after a restart, minutes later.
DUPLICATE_RETRY_MEDIAN_SECONDS = 20.0
DUPLICATE_RETRY_SIGMA = 1.0
DUPLICATE_REPLAY_SHARE = 0.1
DUPLICATE_REPLAY_MINUTES: tuple[float, float] = (5.0, 30.0)
