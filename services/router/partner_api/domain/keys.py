"""API keys: minted at random, stored as their SHA-256, looked up by that digest.

SHA-256 rather than a slow password hash or an HMAC with a server secret: the keys
are 256 random bits, so their digests cannot be reversed or guessed, whatever leaks;
a slow hash would only add latency to every request, and a server-side secret would
make the config unverifiable without it (the CLI prints a hash anyone can check).
Looking the digest up in a dict leaks no timing worth having: a caller cannot choose
what a key hashes to.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from schemas.config.partner_api import ApiKey, PartnerApiConfig

KEY_PREFIX = "sbp_"


def mint_key() -> str:
    """A new API key: ``sbp_`` and 43 URL-safe characters (32 random bytes)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Caller:
    team_id: str
    key_id: str


@dataclass(frozen=True)
class KeyRing:
    by_hash: dict[str, tuple[str, ApiKey]]

    @classmethod
    def from_config(cls, config: PartnerApiConfig) -> KeyRing:
        return cls(
            {
                key.sha256: (team_id, key)
                for team_id, access in config.partners.items()
                for key in access.keys
            }
        )

    def identify(self, presented: str | None, now: datetime) -> Caller | str:
        """The caller, or why not (a stable code for the 401 answer)."""
        if not presented:
            return "missing_api_key"
        found = self.by_hash.get(key_hash(presented))
        if found is None:
            return "invalid_api_key"
        team_id, key = found
        if key.revoked:
            return "api_key_revoked"
        if key.expires_at is not None and now >= key.expires_at:
            return "api_key_expired"
        return Caller(team_id=team_id, key_id=key.id)
