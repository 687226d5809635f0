"""Channel timestamps ahead of ingest's clock.

A connector's or HTTP client's clock may be wrong: by minutes, or by a time zone when a
local time is labelled UTC (at most 14 h). A message "received" later than ingest's own
clock plus ``max_skew`` cannot be true; left alone it would start SLA clocks in the
future (a ticket that never breaches) and sort ahead of every real message. Its time is
replaced by ingest's clock: the moment ingest saw it is the best bound on when it came.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from schemas.ingest import NormalisedMessage


def not_after(message: NormalisedMessage, now: datetime, max_skew: timedelta) -> NormalisedMessage:
    """``message`` with ``received_at`` (and ``occurred_at``) no later than ``now`` when
    they were more than ``max_skew`` ahead of it; the same object otherwise."""
    if message.received_at - now <= max_skew:
        return message
    return message.model_copy(update={"received_at": now, "occurred_at": now})
