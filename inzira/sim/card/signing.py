"""How the acquirer signs its callbacks: HMAC-SHA256 with the merchant's webhook secret over the time and
the exact body, in the manner of Stripe's ``Stripe-Signature``.

    Card-Signature: t=<unix ms>,v1=<hex of HMAC-SHA256(secret, "<t>." + body)>

The receiver recomputes it, compares in constant time, and refuses a ``t`` outside its replay window.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Card-Signature"


def signature(secret: str, body: bytes, at_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{at_ms}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at_ms},v1={digest}"
