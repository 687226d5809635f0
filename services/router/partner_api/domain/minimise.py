"""Data minimisation: what is kept of a ticket at all, masks, and per-partner pseudonyms.

Two layers. What the view keeps is the union of what any partner may see (an e-mail
address no partner may see in clear is stored masked, or not at all), and tickets the
house never lets out (``outsourcing.data_policy``) are not kept. What a partner gets
is then cut to its own allow-list when a response is built.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from schemas.config.partner_api import PartnerField
from schemas.config.teams import DataPolicy
from schemas.tickets import TicketOpened

F = PartnerField

_MASK = "***"


def mask_email(address: str) -> str:
    """``kadri.tamm@example.com`` -> ``k***@e***.com``: enough to recognise, not to write to.
    The number of stars is fixed so the mask does not tell the length."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return _MASK
    host, dot, tld = domain.rpartition(".")
    if not dot or not host:
        return f"{local[0]}{_MASK}@{domain[0]}{_MASK}"
    return f"{local[0]}{_MASK}@{host[0]}{_MASK}.{tld}"


def mask_phone(number: str) -> str:
    """``+372 5555 1267`` -> ``***67``: the last two digits only."""
    digits = [c for c in number if c.isdigit()]
    if len(digits) < 6:
        return _MASK
    return f"{_MASK}{''.join(digits[-2:])}"


def pseudonym(secret: bytes, team_id: str, customer_key: str) -> str:
    """A customer id for one partner: stable, so it recognises a returning customer,
    but keyed and per partner, so partners cannot match customers among themselves or
    recompute it from an e-mail address (our own customer key is an unkeyed hash)."""
    digest = hmac.new(secret, f"{team_id}\x1f{customer_key}".encode(), hashlib.sha256).digest()
    return "cus_" + base64.b32encode(digest[:15]).decode().lower()


@dataclass(frozen=True)
class Keep:
    """What the partner view stores of a ticket: the union of the partners' allow-lists."""

    fields: frozenset[PartnerField]
    house_policy: DataPolicy

    @classmethod
    def union(cls, allow_lists: Iterable[Iterable[PartnerField]], policy: DataPolicy) -> Keep:
        return cls(frozenset(f for fields in allow_lists for f in fields), policy)

    def never_leaves(self, opened: TicketOpened) -> bool:
        """The house-wide data policy keeps this ticket in-house: no partner will see it."""
        policy = self.house_policy
        return (
            opened.skill in policy.never_skills
            or opened.customer.tier in policy.never_tiers
            or (opened.marketplace is not None and opened.marketplace in policy.never_marketplaces)
        )

    def wants(self, *fields: PartnerField) -> bool:
        return any(field in self.fields for field in fields)
