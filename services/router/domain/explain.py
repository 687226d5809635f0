"""Human-readable words for routing decisions."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class OverflowReason(StrEnum):
    """Why a ticket went to a partner rather than in-house (a metric label)."""

    NO_IN_HOUSE_MATCH = "no_in_house_match"
    IN_HOUSE_CLOSED = "in_house_closed"
    IN_HOUSE_OFFLINE = "in_house_offline"
    IN_HOUSE_DECLINED = "in_house_declined"
    IN_HOUSE_FULL = "in_house_full"
    IN_HOUSE_OVER_BUDGET = "in_house_over_budget"


def duration(seconds: float | None) -> str:
    """``754.2`` -> ``"12m 34s"``; ``inf`` -> ``"unbounded"``."""
    if seconds is None or math.isinf(seconds):
        return "unbounded"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s" if secs else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"


def join_limited(items: Sequence[T], words: Callable[[T], str], limit: int = 4) -> str:
    """The words for the first ``limit`` items (only those are computed) and a count."""
    shown = "; ".join(words(item) for item in items[:limit])
    return shown if len(items) <= limit else f"{shown}; and {len(items) - limit} more"
