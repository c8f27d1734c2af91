"""Applying transactions and blocks to the state: the ledger's state machine.

``prepare`` decodes a submitted transaction and lists the signatures it needs checked; checking them is
stateless, so callers verify many in parallel before ``apply_block`` runs the transactions in order. Every
outcome is a ``TxResult`` with a stable code: an invalid transaction stays in its block, marked. The
machine is total: whatever bytes arrive, from the API or straight from the ordering log, get a verdict.

A transaction's id is spent in the state (its reference entry) once it is authenticated: at least one
signature, every signature valid and by a member, the submitter the body names among them, within its
deadline. Whatever the verdict after that, a resubmission is a duplicate. A copy that fails authentication
(a body re-signed by someone else, a signature stripped or forged) spends nothing and blocks nothing.
"""

from __future__ import annotations

from typing import Callable, Sequence

from inzira.ledger import admin, membership, transfers
from inzira.ledger.codes import Code
from inzira.ledger.context import Ctx, TxResult, fail
from inzira.ledger.encoding import DecodeError, ValidationError
from inzira.ledger.ids import REF_CHARS_MAX
from inzira.ledger.records import RefEntry
from inzira.ledger.state import State
from inzira.ledger.state_rows import WriteSet
from inzira.ledger.tx import (
    TX_BODY_BYTES_MAX,
    TX_BYTES_MAX,
    TX_QUOTES_MAX,
    TX_SIGNATURES_MAX,
    TX_VERSION,
    AddMember,
    Issue,
    OpenAccount,
    PostPending,
    Redeem,
    RemoveMember,
    RotateKeys,
    SetDebitCap,
    SetFrozen,
    SetParty,
    SetRoles,
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

    __slots__ = ("raw", "tx_id", "body", "sigs", "quotes", "code", "checks", "sigs_ok", "quotes_ok", "spent")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.tx_id = b""
        self.body: TxBody | None = None
        self.sigs: tuple = ()
        self.quotes: tuple = ()  # decoded Quote records, in the order of the op's SignedQuotes
        self.code = Code.OK
        self.checks: list[SignatureCheck] = []  # the transaction's signatures first, then the quotes'
        self.sigs_ok = False  # at least one transaction signature, and every one verifies
        self.quotes_ok = False  # every quote's signature verifies (true when there is none)
        self.spent = False  # set when applying it spent its id: this copy is the one the index points at


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
    if len(verdicts) != len(checks):
        raise RuntimeError("the verifier answered for a different number of signatures")
    at = 0
    for p in items:
        n_sigs, n = len(p.sigs), len(p.checks)
        p.sigs_ok = n_sigs > 0 and all(verdicts[at : at + n_sigs])
        p.quotes_ok = all(verdicts[at + n_sigs : at + n])
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
    AddMember: membership.apply_add_member,
    RotateKeys: membership.apply_rotate_keys,
    SetRoles: membership.apply_set_roles,
    RemoveMember: membership.apply_remove_member,
}


def authenticate(state: State, p: Prepared, timestamp_ms: int) -> TxResult | Ctx:
    """Who signed, and whether the transaction may spend its id; a failure here spends nothing."""
    body = p.body
    if p.code != Code.OK or body is None:
        return fail(p.code if p.code != Code.OK else Code.MALFORMED)
    if body.version != TX_VERSION:
        return fail(Code.VALIDATION)
    if body.chain_id != state.chain_id:
        return fail(Code.WRONG_NETWORK)
    if not p.sigs_ok:  # no signature, or one that does not verify (also keys of the wrong length)
        return fail(Code.BAD_SIGNATURE)
    key_owner = state.key_owner
    signers: set[str] = set()
    keys: set[bytes] = set()
    for s in p.sigs:
        member = key_owner.get(s.key)
        if member is None:
            return fail(Code.PERMISSION)
        signers.add(member)
        keys.add(s.key)
    if body.submitter not in signers:
        return fail(Code.PERMISSION)  # the member the body names must sign it itself
    if timestamp_ms >= body.expires_at_ms:
        return fail(Code.EXPIRED)
    if body.expires_at_ms > timestamp_ms + state.policy.tx_validity_max_ms or not 0 < len(body.ref) <= REF_CHARS_MAX:
        return fail(Code.VALIDATION)
    return Ctx(p.tx_id, body.submitter, frozenset(signers), frozenset(keys), timestamp_ms, p.quotes, body.op)


def ref_key_of(body: TxBody) -> bytes:
    """The idempotency key: the submitter named in the body and its reference (not the signature order)."""
    return f"{body.submitter}\x00{body.ref}".encode()


def apply_tx(state: State, p: Prepared, timestamp_ms: int) -> TxResult:
    ctx = authenticate(state, p, timestamp_ms)
    if isinstance(ctx, TxResult):
        return ctx
    body = p.body
    ref_key = ref_key_of(body)  # type: ignore[arg-type]
    seen = state.refs.get(ref_key)
    if seen is not None:
        return fail(Code.DUPLICATE if seen.tx_id == p.tx_id else Code.MODIFIED_REQUEST)
    # Authenticated: the id is spent whatever the verdict below, as Mojaloop's ids are.
    state.put_ref(ref_key, RefEntry(p.tx_id, body.expires_at_ms))  # type: ignore[union-attr]
    p.spent = True
    if not p.quotes_ok:
        return fail(Code.BAD_SIGNATURE)
    for quote in p.quotes:
        if quote.chain_id != state.chain_id:
            return fail(Code.WRONG_NETWORK)
    return _HANDLERS[type(ctx.op)](state, ctx.op, ctx)


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
