"""How agents and partners behave, for the demo's simulated workforce.

Handle times are log-normal: the median is what a team lead quotes, ``sigma``
the spread (0.6 means one ticket in six takes more than 1.8x the median).
"""

from __future__ import annotations

from schemas.base import Channel

#: Minutes of agent work per ticket, by channel (a chat includes the waits
#: between the customer's lines; an agent holds several chats at once).
HANDLE_MEDIAN_MINUTES: dict[Channel, float] = {
    Channel.EMAIL: 8.0,
    Channel.CHAT: 12.0,
    Channel.PHONE: 7.0,
    Channel.SOCIAL: 6.0,
    Channel.MARKETPLACE: 7.0,
}
HANDLE_SIGMA: dict[Channel, float] = {
    Channel.EMAIL: 0.7,
    Channel.CHAT: 0.6,
    Channel.PHONE: 0.55,
    Channel.SOCIAL: 0.7,
    Channel.MARKETPLACE: 0.65,
}
#: A refund or a payment dispute takes longer than "where is my order".
SKILL_HANDLE_FACTOR: dict[str, float] = {
    "orders_shipping": 0.85,
    "returns_refunds": 1.15,
    "payments_billing": 1.2,
    "account_technical": 1.35,
    "product_question": 0.9,
}
#: Partner agents have fewer tools and less context than the shop's own.
PARTNER_HANDLE_FACTOR = 1.1

#: Seconds from an agent opening a ticket to the first reply going out.
FIRST_RESPONSE_MEDIAN_SECONDS: dict[Channel, float] = {
    Channel.EMAIL: 180.0,
    Channel.CHAT: 40.0,
    Channel.PHONE: 8.0,
    Channel.SOCIAL: 150.0,
    Channel.MARKETPLACE: 180.0,
}
FIRST_RESPONSE_SIGMA = 0.6

#: How long a partner takes to accept or reject an offer.
OFFER_RESPONSE_MEDIAN_SECONDS = 45.0
OFFER_RESPONSE_SIGMA = 0.8
#: Rejections: a small base rate, more as the partner fills up (from 80% of its
#: capacity to 100%), more for skills it is weak in.
REJECT_BASE = 0.04
REJECT_WHEN_FULL = 0.25
REJECT_PER_MISSING_PROFICIENCY = 0.4
#: Offers nobody answers (they expire): a few, more when the partner is swamped.
IGNORE_BASE = 0.02
IGNORE_WHEN_FULL = 0.08
LOAD_PRESSURE_FROM = 0.8

REJECT_REASONS: dict[str, str] = {
    "language": "no {language}-speaking agent on shift right now",
    "capacity": "team at capacity, cannot take more tickets",
    "skill": "outside our contracted scope: {skill}",
    "access": "needs access to the shop's back office we do not have",
}

# Partner staffing over a peak: planned extra agents on busy days, the day's
# absences at shift start, and a top-up call-in on the busiest days.
PEAK_RAMP_PER_MULTIPLIER = 0.25
MAX_PEAK_RAMP = 2.5
ABSENCE_MAX_SHARE = 0.12
TOP_UP_SHARE = 0.15
TOP_UP_FROM_MULTIPLIER = 5.0
SHIFT_START_HOUR = 7
TOP_UP_HOUR = 14
PARTNER_TIMEZONE = "Europe/Vilnius"

# Quality of the work, per team: the share of resolutions the customer does not come
# back about (first-contact resolution) and the mean CSAT (1-5) of those who rate.
# The simulated partners differ on purpose, so that routing by quality can be measured.
TEAM_FCR: dict[str, float] = {
    "nearshore-bpo": 0.86,
    "manila-247": 0.66,
    "istanbul-contact": 0.78,
}
TEAM_CSAT: dict[str, float] = {
    "nearshore-bpo": 4.3,
    "manila-247": 3.5,
    "istanbul-contact": 3.9,
}
IN_HOUSE_FCR = 0.88
IN_HOUSE_CSAT = 4.4
PARTNER_FCR = 0.75
PARTNER_CSAT = 3.9
#: A ticket worked through a translation, or with a weak skill, goes worse.
TRANSLATED_FCR_PENALTY = 0.10
TRANSLATED_CSAT_PENALTY = 0.4
FCR_PER_MISSING_PROFICIENCY = 0.2
CSAT_SIGMA = 0.9
#: Share of resolved tickets whose customer answers the satisfaction survey, and when.
RATING_RESPONSE_RATE = 0.3
RATING_MEDIAN_HOURS = 3.0
#: A customer who was not helped comes back (reopens or writes again) after about this.
RECONTACT_MEDIAN_HOURS = 18.0
RECONTACT_SIGMA = 0.8
