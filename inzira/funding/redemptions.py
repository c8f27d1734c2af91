"""A holder's signed redemption, checked before it is filed as a withdrawal request.

The issuer countersigns these very bytes once an officer approves, and the ledger then takes or refuses them.
What the ledger would refuse anyway is refused here, before an officer spends time on it: above all bytes it
refuses without spending their transaction id, which would keep an approved request ``approving`` until the
redemption's deadline.
"""

from __future__ import annotations

from inzira.crypto import verify
from inzira.funding.errors import FundingError
from inzira.ledger.apply import ref_key_of
from inzira.ledger.codes import Code
from inzira.ledger.encoding import DecodeError, ValidationError
from inzira.ledger.ids import REF_CHARS_MAX
from inzira.ledger.tx import (SIG_BYTES_MAX, TX_BYTES_MAX, TX_SIGNATURES_MAX, TX_VERSION, Redeem, TxBody,
                              decode_body, decode_signed, tx_id_of)
from inzira.node.node import Node


def checked_redemption(node: Node, holder: str, signed_tx: bytes, now_ms: int) -> tuple[Redeem, TxBody]:
    """The redemption ``holder`` signed alone, on this chain, in a shape the ledger takes: its op and body."""
    try:
        tx = decode_signed(signed_tx)
        body = decode_body(tx.body)
    except (DecodeError, ValidationError):
        raise FundingError(400, Code.MALFORMED, "signed_tx is not a signed transaction") from None
    op = body.op
    if not isinstance(op, Redeem) or body.submitter != holder or body.chain_id != node.chain_id:
        raise FundingError(400, Code.VALIDATION, f"a withdrawal is a Redeem that {holder} submits on this chain")
    # A deadline past 2^63 - 1 would not fit the book either.
    if body.version != TX_VERSION or not 0 < len(body.ref) <= REF_CHARS_MAX or \
            body.expires_at_ms > now_ms + node.state.policy.tx_validity_max_ms:
        raise FundingError(400, Code.VALIDATION, "the redemption's version, reference or deadline is not one "
                                                 "the ledger takes")
    # The issuer's countersignature must fit, and every signature be the holder's and verify.
    if len(tx.sigs) >= TX_SIGNATURES_MAX or len(signed_tx) + SIG_BYTES_MAX > TX_BYTES_MAX:
        raise FundingError(400, Code.TOO_LARGE, f"a redemption carries at most {TX_SIGNATURES_MAX - 1} "
                                                "signatures, leaving room for the issuer's")
    keys = node.state.members[holder].keys if holder in node.state.members else ()
    tx_id = tx_id_of(tx.body)
    if not tx.sigs or not all(s.key in keys and verify(s.key, tx_id, s.sig) for s in tx.sigs):
        raise FundingError(400, Code.BAD_SIGNATURE, f"the redemption is not signed by {holder} alone")
    seen = node.state.refs.get(ref_key_of(body))
    if seen is not None and seen.tx_id != tx_id:  # refused without spending the id, as above
        raise FundingError(400, Code.MODIFIED_REQUEST, f"{holder} already used the transaction reference "
                                                       f"{body.ref!r}: sign the redemption with a new one")
    return op, body
