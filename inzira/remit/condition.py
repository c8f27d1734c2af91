"""The hashlock: the receiving FSP's fulfilment and the condition the sending side locks the transfer with.

fulfilment = HMAC-SHA256(receiving FSP secret, domain || quote id), condition = SHA-256(fulfilment), as
Mojaloop recommends: the receiving FSP can recompute the fulfilment for any of its quotes from its secret
alone, and nobody else can produce it. The API shows both as base64url without padding (32 bytes each).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

FULFILMENT_DOMAIN = b"inzira/remit/fulfilment/v1\x00"


def fulfilment_for(secret: bytes, quote_id: str) -> bytes:
    return hmac.new(secret, FULFILMENT_DOMAIN + quote_id.encode(), hashlib.sha256).digest()


def condition_of(fulfilment: bytes) -> bytes:
    return hashlib.sha256(fulfilment).digest()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
