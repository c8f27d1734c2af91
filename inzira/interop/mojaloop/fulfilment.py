"""The payee side's fulfilment, bound to the ILP packet of its quote answer, as FSPIOP's ILP scheme recommends.

fulfilment = HMAC-SHA256(the gateway's secret, domain || the packet with a zero condition), condition =
SHA-256(fulfilment), and the packet sent carries that condition. The packet holds every agreed term: the
amount, the expiry, and the transaction object (quote and transaction ids, payer, payee, amount, type).

Not the quote id alone: a committed transfer's fulfilment is public (on Inzira's chain, in the hub's PUT), and
a payer FSP agreeing the same quote id again once the quote book forgot it must get another condition, or
anyone could commit the gateway's new reservation with the old fulfilment when the gateway chose not to (the
ledger lets whoever reveals the preimage commit). The book forgets only expired quotes and a new quote expires
in the future, so the two packets differ at least in their expiry.

At transfer time the gateway recomputes the fulfilment from the packet (the one it kept, which the transfer's
must equal): a packet its own key does not open is none it issued, and is never reserved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from datetime import datetime

from inzira.interop.mojaloop import ilp

FULFILMENT_DOMAIN = b"inzira/fspiop/fulfilment/v2\x00"
_NO_CONDITION = bytes(ilp.FULFILMENT_BYTES)


def _fulfilment(secret: bytes, prepare: ilp.Prepare) -> bytes:
    unlocked = ilp.encode_prepare(dataclasses.replace(prepare, condition=_NO_CONDITION))
    return hmac.new(secret, FULFILMENT_DOMAIN + unlocked, hashlib.sha256).digest()


def locked_packet(secret: bytes, transaction: dict[str, object], amount_minor: int,
                  expires_at: datetime) -> tuple[str, bytes]:
    """A quote answer's ``ilpPacket`` (a v4 Prepare whose data is the transaction object) and its condition."""
    prepare = ilp.Prepare(amount_minor, expires_at, _NO_CONDITION, ilp.MOJALOOP_ADDRESS,
                          ilp.transaction_data(transaction))
    condition = ilp.condition_of(_fulfilment(secret, prepare))
    return ilp.b64url_encode(ilp.encode_prepare(dataclasses.replace(prepare, condition=condition))), condition


def opening(secret: bytes, packet: str) -> bytes | None:
    """The fulfilment of a packet this gateway issued; None for any other (malformed, foreign or altered)."""
    try:
        prepare = ilp.decode_prepare(ilp.b64url_decode(packet, "ilpPacket"))
    except ilp.IlpError:
        return None
    fulfilment = _fulfilment(secret, prepare)
    return fulfilment if hmac.compare_digest(ilp.condition_of(fulfilment), prepare.condition) else None
