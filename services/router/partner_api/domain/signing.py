"""Webhook signatures: HMAC-SHA256 over ``<unix timestamp>.<body>``, Stripe's scheme.

Header ``Switchboard-Signature: t=1764237600,v1=<hex>``. A receiver recomputes the
HMAC with the shared secret over the timestamp, a dot and the raw body, compares in
constant time, and refuses timestamps more than ``TOLERANCE_SECONDS`` away from its
clock, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Switchboard-Signature"
DELIVERY_HEADER = "Switchboard-Delivery-Id"
TOLERANCE_SECONDS = 300


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: bytes, header: str, body: bytes, now: float, tolerance: float = TOLERANCE_SECONDS
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected, parts.get("v1", ""))
