"""Applying transactions and blocks to the state: the ledger's state machine.

``prepare`` decodes a submitted transaction and lists the signatures it needs checked; checking them is
stateless, so callers verify many in parallel before ``apply_block`` runs the transactions in order. Every
outcome is a ``TxResult`` with a stable code: an invalid transaction stays in its block, marked.
"""

from __future__ import annotations

from typing import Callable, Sequence

from inzira.ledger import admin, transfers
from inzira.ledger.codes import Code
from inzira.ledger.context import Ctx, TxResult, fail
from inzira.ledger.encoding import DecodeError, ValidationError
from inzira.ledger.ids import REF_CHARS_MAX
from inzira.ledger.records import RefEntry
from inzira.ledger.state import State, WriteSet
from inzira.ledger.tx import (
    TX_BODY_BYTES_MAX,
    TX_BYTES_MAX,
    TX_QUOTES_MAX,
    TX_SIGNATURES_MAX,
    TX_VERSION,
    ChangeMembership,
    Issue,
    OpenAccount,
    PostPending,
    Redeem,
    SetDebitCap,
    SetFrozen,
    SetParty,
    Transfer,
    TxBody,
    VoidPending,
    decode_body,
    decode_quote,
    decode_signed,
    quote_hash,
    tx_hash,
)

SignatureCheck = tuple[bytes, bytes, bytes]  # public key, message, signature


class Prepared:
    """A submitted transaction, decoded, with the signature checks it needs and (later) their verdict."""

    __slots__ = ("raw", "tx_id", "body", "sigs", "quotes", "code", "checks", "sig_ok")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.tx_id = b""
        self.body: TxBody | None = None
        self.sigs: tuple = ()
        self.quotes: tuple = ()  # decoded Quote records, in the order of the op's SignedQuotes
        self.code = Code.OK
        self.checks: list[SignatureCheck] = []
        self.sig_ok = False


def prepare(raw: bytes) -> Prepared:
    p = Prepared(raw)
    if len(raw) > TX_BYTES_MAX:
        p.code = Code.TOO_LARGE
        return p
    try:
        signed = decode_signed(raw)
        if len(signed.body) > TX_BODY_BYTES_MAX:
            p.code = Code.TOO_LARGE
            return p
        body = decode_body(signed.body)
        op = body.op
        quotes = op.quotes if type(op) is Transfer else ()
        if len(quotes) > TX_QUOTES_MAX or len(signed.sigs) > TX_SIGNATURES_MAX:
            p.code = Code.TOO_LARGE
            return p
        p.quotes = tuple(decode_quote(q.body) for q in quotes)
    except (DecodeError, ValidationError):
        p.code = Code.MALFORMED
        return p
    p.tx_id = tx_id = tx_hash(signed.body)
    p.body, p.sigs = body, signed.sigs
    p.checks = [(s.key, tx_id, s.sig) for s in signed.sigs]
    p.checks += [(q.sig.key, quote_hash(q.body), q.sig.sig) for q in quotes]
    return p


def verify_prepared(items: Sequence[Prepared], verify_many: Callable[[list[SignatureCheck]], list[bool]]) -> None:
    """Run every signature check of ``items`` through ``verify_many`` (parallel) and record verdicts."""
    checks: list[SignatureCheck] = []
    for p in items:
        checks.extend(p.checks)
    verdicts = verify_many(checks)
    at = 0
    for p in items:
        n = len(p.checks)
        p.sig_ok = n > 0 and all(verdicts[at : at + n])
        at += n


_HANDLERS: dict[type, Callable[[State, object, Ctx], TxResult]] = {
    Transfer: transfers.apply_transfer,
    PostPending: transfers.apply_post,
    VoidPending: transfers.apply_void,
    Issue: transfers.apply_issue,
    Redeem: transfers.apply_redeem,
    OpenAccount: admin.apply_open_account,
    SetDebitCap: admin.apply_debit_cap,
    SetFrozen: admin.apply_frozen,
    SetParty: admin.apply_party,
    ChangeMembership: admin.apply_membership,
}


def apply_tx(state: State, p: Prepared, timestamp_ms: int) -> TxResult:
    if p.code != Code.OK:
        return fail(p.code)
    body = p.body
    if body is None:
        return fail(Code.MALFORMED)
    if body.version != TX_VERSION:
        return fail(Code.VALIDATION)
    chain_id = state.chain_id
    if body.chain_id != chain_id:
        return fail(Code.WRONG_NETWORK)
    for quote in p.quotes:
        if quote.chain_id != chain_id:
            return fail(Code.WRONG_NETWORK)
    if not p.sig_ok:  # also false for keys or signatures of the wrong length
        return fail(Code.BAD_SIGNATURE)
    key_owner = state.key_owner
    signers: list[str] = []
    for s in p.sigs:
        member = key_owner.get(s.key)
        if member is None:
            return fail(Code.PERMISSION)
        if member not in signers:
            signers.append(member)
    expires_at_ms = body.expires_at_ms
    if timestamp_ms >= expires_at_ms:
        return fail(Code.EXPIRED)
    if expires_at_ms > timestamp_ms + state.policy.tx_validity_max_ms:
        return fail(Code.VALIDATION)
    ref = body.ref
    if not 0 < len(ref) <= REF_CHARS_MAX:
        return fail(Code.VALIDATION)
    submitter = signers[0]
    ref_key = f"{submitter}\x00{ref}".encode()
    seen = state.refs.get(ref_key)
    if seen is not None:
        return fail(Code.DUPLICATE if seen.tx_id == p.tx_id else Code.MODIFIED_REQUEST)
    op = body.op
    result = _HANDLERS[type(op)](state, op, Ctx(p.tx_id, submitter, frozenset(signers), timestamp_ms, p.quotes, op))
    # An authenticated transaction consumes its reference whatever the outcome, as Mojaloop's ids do.
    state.put_ref(ref_key, RefEntry(p.tx_id, expires_at_ms))
    return result


def apply_block(state: State, height: int, timestamp_ms: int,
                items: Sequence[Prepared]) -> tuple[list[TxResult], WriteSet, list[bytes]]:
    """Apply one block: expire what is due, apply each transaction in order, seal the write set.

    Returns the verdicts, the write set and the ids of the pending transfers that expired.
    """
    if height != state.height + 1:
        raise ValueError(f"block {height} does not follow height {state.height}")
    if timestamp_ms < state.timestamp_ms:
        raise ValueError("block timestamp goes backwards")
    expired = transfers.expire_due(state, timestamp_ms)
    state.prune(timestamp_ms)
    results = [apply_tx(state, p, timestamp_ms) for p in items]
    return results, state.seal(height, timestamp_ms), expired
