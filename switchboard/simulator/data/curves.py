"""The shape of demand over the day, the week and the season.

Orders: about half of online orders are placed after 17:00 on weekdays or at
weekends (local time); Sunday is the busiest day, Friday and Saturday the
quietest. Support contacts follow orders with a lag: a payment problem is
written within the hour, "where is my order" days later, so the contact curves
are the order curves pushed through the lag kernels below
(``switchboard.simulator.season``).

The seasonal table is calibrated on contacts, not orders, because contact
volume is what a support lead plans for: Black Friday is about eight times a
normal Friday, Cyber Monday about six times a normal Monday.
"""

from __future__ import annotations

#: Relative order volume per local hour 00..23 on an ordinary day: busiest from
#: late morning into the afternoon, a second, flatter plateau 17:00-22:00.
ORDER_HOURLY: tuple[float, ...] = (
    1.6, 0.9, 0.5, 0.3, 0.3, 0.5, 1.2, 2.6,  # 00-07
    4.2, 5.4, 6.0, 6.3, 6.6, 6.4, 6.2, 6.1,  # 08-15
    6.0, 4.4, 4.3, 4.5, 4.8, 4.5, 3.4, 2.2,  # 16-23
)  # fmt: skip

#: Share of an order's contacts written 0, 1, 2, 3 hours after the order time.
HOURLY_CONTACT_LAG: tuple[float, ...] = (0.50, 0.25, 0.15, 0.10)

#: Relative order volume per local weekday, Monday first.
ORDER_WEEKDAY: tuple[float, ...] = (1.04, 1.02, 1.00, 0.99, 0.93, 0.90, 1.12)

#: Share of a day's contacts caused by orders 0, 1, 2, 3 days earlier.
DAILY_CONTACT_LAG: tuple[float, ...] = (0.55, 0.25, 0.12, 0.08)

#: Contact multiplier around Black Friday, by days after Black Friday (0 is
#: Black Friday itself, 3 is Cyber Monday). Deals start the Monday before; the
#: tail runs into the Christmas ramp (the higher of the two counts).
BLACK_FRIDAY_WEEKS: dict[int, float] = {
    -4: 1.5, -3: 1.7, -2: 2.0, -1: 2.6,
    0: 8.0, 1: 4.5, 2: 3.5, 3: 6.0,
    4: 3.0, 5: 2.3, 6: 2.0,
}  # fmt: skip

#: Christmas: a ramp through December to the last shipping days, a quiet
#: Christmas, then the returns wave. Keys are (month, day); days in between are
#: interpolated linearly.
CHRISTMAS_POINTS: dict[tuple[int, int], float] = {
    (12, 1): 1.6,
    (12, 18): 2.8,
    (12, 21): 2.6,
    (12, 23): 1.9,
    (12, 24): 1.1,
    (12, 25): 0.5,
    (12, 26): 0.8,
    (12, 27): 1.9,
    (12, 31): 1.5,
    (1, 1): 0.9,
    (1, 2): 1.7,
    (1, 15): 1.0,
}

#: How strongly past peaks shift the skill mix: days 1..6 after a busy day feed
#: "where is my order", days 5..28 feed returns.
SHIPPING_LAG_WEIGHTS: tuple[float, ...] = (0.30, 0.25, 0.18, 0.12, 0.09, 0.06)
RETURNS_LAG_DAYS: tuple[int, int] = (5, 28)
