"""The hashlock: the receiving FSP's fulfilment and the condition the sending side locks the transfer with.

fulfilment = HMAC-SHA256(receiving FSP secret, domain || the agreed terms), condition = SHA-256(fulfilment), as
Mojaloop recommends: the receiving FSP recomputes the fulfilment of any quote it keeps from its secret and the
terms it kept, and nobody else can produce it. The terms are all of them (quote id, sending and receiving FSP,
number, amounts, expiry, the originator's names), not the quote id alone: once a transfer commits its
fulfilment is public on chain, and a sending FSP agreeing the same quote id again after the receiving FSP forgot
it must get another condition, or it could commit its new reservation itself with the old, public fulfilment
(the ledger lets whoever reveals the preimage commit), a "paid out" the receiving FSP never gave. The API shows
both as base64url without padding (32 bytes each).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import msgspec

from inzira.remit.records import PayeeTerms

FULFILMENT_DOMAIN = b"inzira/remit/fulfilment/v2\x00"


def fulfilment_for(secret: bytes, terms: PayeeTerms) -> bytes:
    """The fulfilment of ``terms`` (their ``condition`` aside: it is derived from this)."""
    agreed = msgspec.msgpack.encode((terms.quote_id, terms.sending_fsp, terms.receiving_fsp, terms.msisdn,
                                     terms.currency, terms.amount_received_minor, terms.receiving_fee_minor,
                                     terms.expires_at_ms, terms.sender_name, terms.receiver_name))
    return hmac.new(secret, FULFILMENT_DOMAIN + agreed, hashlib.sha256).digest()


def condition_of(fulfilment: bytes) -> bytes:
    return hashlib.sha256(fulfilment).digest()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
