"""Who writes: simulated customers with a name, a language and an identity per channel."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from schemas.base import CustomerTier
from switchboard.simulator.data import mix
from switchboard.simulator.data.logistics import MARKETPLACES
from switchboard.simulator.data.markets import Market
from switchboard.simulator.ids import ascii_fold, fill_pattern, hex_id, weighted_choice
from switchboard.simulator.style import plain_letters
from switchboard.simulator.texts import PACKS


@dataclass(frozen=True)
class SimCustomer:
    id: str
    market: Market
    language: str
    gender: str  # "m" or "f": which forms agree with the writer
    first_name: str
    last_name: str
    tier: CustomerTier
    email: str
    phone: str
    visitor_id: str
    social_handle: str
    #: Buyer id on each marketplace of the market.
    buyer_ids: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _in_ascii(name: str, latin: dict[str, str], letters: dict[str, str]) -> str:
    """A name as people spell it in their address: romanised, or typed without
    diacritics the way the language does it (German "ü" is "ue")."""
    return ascii_fold(latin.get(name) or plain_letters(name, letters))


def _email_local(rng: random.Random, first: str, last: str) -> str:
    year = rng.randint(60, 99) if rng.random() < 0.5 else rng.randint(0, 9)
    styles = (
        f"{first}.{last}",
        f"{first}{last}{rng.randint(1, 99)}",
        f"{first[0]}.{last}",
        f"{first}_{last}{year:02d}",
        f"{last}.{first}",
        f"{first}{rng.randint(100, 999)}",
    )
    return rng.choice(styles)


def _handle(rng: random.Random, first: str, last: str) -> str:
    styles = (
        f"{first}{last}",
        f"{first}_{last}{rng.randint(1, 99)}",
        f"{first}{last[0]}{rng.randint(10, 9999)}",
        f"{last}_{first}",
    )
    return rng.choice(styles)


def new_customer(rng: random.Random, market: Market, customer_id: str) -> SimCustomer:
    language = weighted_choice(rng, market.languages)
    pack = PACKS[language]
    gender = rng.choice(("m", "f"))
    first = rng.choice(pack.first_names_male if gender == "m" else pack.first_names_female)
    masculine, feminine = rng.choice(pack.surnames)
    last = masculine if gender == "m" else feminine
    first_ascii = _in_ascii(first, pack.latin, pack.plain_letters)
    last_ascii = _in_ascii(last, pack.latin, pack.plain_letters)
    email = f"{_email_local(rng, first_ascii, last_ascii)}@{rng.choice(market.mail_providers)}"
    return SimCustomer(
        id=customer_id,
        market=market,
        language=language,
        gender=gender,
        first_name=first,
        last_name=last,
        tier=weighted_choice(rng, mix.TIER_WEIGHTS),
        email=email,
        phone=market.phone_prefix + fill_pattern(rng, market.phone_pattern),
        visitor_id=f"v_{hex_id(rng, 12)}",
        social_handle=_handle(rng, first_ascii, last_ascii),
        buyer_ids={
            marketplace: fill_pattern(rng, MARKETPLACES[marketplace].buyer_pattern)
            for marketplace in market.marketplaces
        },
    )
