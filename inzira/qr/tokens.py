"""Ids for the service's records, and the secret tokens of its customers' pages.

A merchant's POS page and a visitor's wallet page are not members of the network: they act with a token
that the acquirer (or wallet issuer) receives once, when it creates the merchant (or wallet), and hands to
its customer. The token names what it opens and carries a secret of which only a SHA-256 digest is kept:

    qrm_<merchant id>.<secret>     a merchant's POS: its QR codes, bills, payments, refunds, statement
    qrw_<wallet id>.<secret>       a visitor's wallet: balance, history, top-up, quote, pay

The issuing member may replace a token or revoke it, and a holder may replace its own (``token_book``): the
stored digest changes, so the old token matches nothing. A revoked token's digest is empty, which no
secret's digest equals.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import secrets
import time
from dataclasses import dataclass

MERCHANT_TOKEN_PREFIX = "qrm_"
WALLET_TOKEN_PREFIX = "qrw_"
SECRET_BYTES = 24
TOKEN_CHARS_MAX = 128
MERCHANT_ID_BYTES = 5  # 10 hex digits: in the QR and in the account name "<acquirer>:m-<id>"
WALLET_ID_BYTES = 6
SEQUENCE_MODULO = 1 << 24
REVOKED_DIGEST = b""
TAG_BYTES = 8  # of the stored digest, naming which token a ticket or an open stream was opened with
# Record ids need to be unique, not secret (every read checks the caller's token). Time first: the store's
# indexes then grow at their right edge, so a commit dirties a few pages instead of one per index per row.
_sequence = itertools.count(secrets.randbelow(SEQUENCE_MODULO))


def merchant_id() -> str:
    return secrets.token_hex(MERCHANT_ID_BYTES)


def wallet_id() -> str:
    return secrets.token_hex(WALLET_ID_BYTES)


def record_id(prefix: str) -> str:
    """Bills, payments, refunds and top-ups: "pay_<ms since 1970, hex><sequence>", 17 hex digits."""
    return f"{prefix}_{time.time_ns() // 1_000_000:011x}{next(_sequence) % SEQUENCE_MODULO:06x}"


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def tag(stored_digest: bytes) -> str:
    """Which token of its owner this is (empty for a revoked one). A few bytes of a SHA-256 of 24 random bytes
    tell nothing of the secret: a ticket may carry them in the clear."""
    return stored_digest[:TAG_BYTES].hex()


def mint(prefix: str, owner_id: str) -> tuple[str, bytes]:
    """A new token for ``owner_id`` and the digest to store."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return f"{prefix}{owner_id}.{secret}", digest(secret)


@dataclass(frozen=True, slots=True)
class CustomerToken:
    prefix: str
    owner_id: str
    secret: str

    def matches(self, stored_digest: bytes) -> bool:
        return hmac.compare_digest(digest(self.secret), stored_digest)


def parse(token: str) -> CustomerToken | None:
    """A customer token's parts, or None when ``token`` is not one (it may be a member's API token)."""
    if len(token) > TOKEN_CHARS_MAX:
        return None
    for prefix in (MERCHANT_TOKEN_PREFIX, WALLET_TOKEN_PREFIX):
        if token.startswith(prefix):
            owner_id, dot, secret = token[len(prefix):].partition(".")
            if dot and owner_id and secret:
                return CustomerToken(prefix, owner_id, secret)
    return None
