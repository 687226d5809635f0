"""Erlang C: waiting in an M/M/c queue (Poisson arrivals, exponential service, c servers).

A team is modelled as ``c`` slots (agents x concurrent tickets), each freeing at
rate ``mu = 1 / mean handle time``; tickets arrive at rate ``lam``. The offered
load is ``a = lam / mu`` (in Erlangs). The queue is stable only while ``a < c``.

Numerics: the textbook formula divides ``a**c / c!`` by a sum of such terms,
which overflows for a few hundred servers. Erlang B has a recursion whose
values stay in [0, 1] (``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``), and
Erlang C follows from B without any large intermediate:
``C = B / (1 - rho (1 - B))`` with ``rho = a / c``. The recursion costs O(c).
Once ``k > a`` the sequence only decreases, so when it falls below ``floor``
the final value is known to be below it too; ``erlang_b`` may stop there
(returning an upper bound) when asked to.
"""

from __future__ import annotations

import math
from functools import lru_cache


def erlang_b(servers: int, load: float, *, floor: float = 0.0) -> float:
    """Blocking probability of an M/M/c/c system with ``servers`` and offered ``load``.

    With ``floor > 0`` the recursion stops early once the value is certain to end
    below ``floor`` and returns that (upper-bound) value.
    """
    if servers < 0 or load < 0 or math.isnan(load):
        raise ValueError(f"need servers >= 0 and load >= 0, got {servers}, {load}")
    if load == 0:
        return 1.0 if servers == 0 else 0.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
        if blocking < floor and k > load:
            return blocking
    return blocking


def erlang_c(servers: int, load: float, *, floor: float = 0.0) -> float:
    """Probability that an arrival has to wait (all ``servers`` busy); 1 when unstable."""
    if servers <= 0 or load >= servers:
        return 1.0
    blocking = erlang_b(servers, load, floor=floor)
    rho = load / servers
    return blocking / (1.0 - rho * (1.0 - blocking))


def mean_wait(servers: int, arrival_rate: float, service_rate: float) -> float:
    """Expected wait in queue (same time unit as the rates); ``inf`` when unstable."""
    if service_rate <= 0:
        raise ValueError("service rate must be positive")
    if arrival_rate <= 0:
        return 0.0
    load = arrival_rate / service_rate
    if servers <= 0 or load >= servers:
        return math.inf
    return erlang_c(servers, load) / (servers * service_rate - arrival_rate)


def service_level(servers: int, arrival_rate: float, service_rate: float, target: float) -> float:
    """Share of arrivals that wait at most ``target``: ``1 - C e^(-(c mu - lam) t)``."""
    if arrival_rate <= 0:
        return 1.0
    load = arrival_rate / service_rate
    if servers <= 0 or load >= servers:
        return 0.0
    waiting = erlang_c(servers, load)
    return 1.0 - waiting * math.exp(-(servers * service_rate - arrival_rate) * target)


#: Below this probability of waiting, the expected wait is reported as what the
#: bound gives (sub-millisecond for any realistic handle time): the early stop
#: keeps a decision for a large, lightly loaded team cheap.
_NEGLIGIBLE = 1e-12


@lru_cache(maxsize=8192)
def erlang_wait_seconds(slots: int, arrivals_per_second: float, handle_seconds: float) -> float:
    """Expected queueing wait of a team in seconds (memoised: loads change one team at a time)."""
    if arrivals_per_second <= 0:
        return 0.0
    load = arrivals_per_second * handle_seconds
    if slots <= 0 or load >= slots:
        return math.inf
    waiting = erlang_c(slots, load, floor=_NEGLIGIBLE)
    return waiting * handle_seconds / (slots - load)
