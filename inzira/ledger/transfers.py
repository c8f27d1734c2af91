"""Moving money: atomic batches of legs (posted or two-phase), post, void, expiry, issue and redeem.

Each handler checks everything against an overlay of the accounts it touches and writes the overlay only
when every leg passed, so a batch applies entirely or not at all.
"""

from __future__ import annotations

import hashlib
import heapq

import msgspec

from inzira.ledger.codes import Code
from inzira.ledger.context import OK, Ctx, TxResult, fail
from inzira.ledger.ids import MEMO_CHARS_MAX, account_owner, is_settlement_reference, issuance_account
from inzira.ledger.quotes import check_quotes
from inzira.ledger.records import EXPIRED, FROZEN, ISSUANCE, PENDING, POSTED, VOIDED, Account, PendingTransfer
from inzira.ledger.invariants import InvariantError
from inzira.ledger.state import State
from inzira.ledger.tx import TX_LEGS_MAX, Issue, PostPending, Redeem, Transfer, VoidPending
from inzira.money import AMOUNT_MINOR_MAX

CONDITION_BYTES = 32


def apply_transfer(state: State, op: Transfer, ctx: Ctx) -> TxResult:
    legs = op.legs
    if not 0 < len(legs) <= TX_LEGS_MAX or len(op.memo) > MEMO_CHARS_MAX:
        return fail(Code.VALIDATION)
    pending = op.expires_at_ms != 0
    if pending:
        if op.expires_at_ms <= ctx.timestamp_ms:
            return fail(Code.TRANSFER_EXPIRED)
        if op.expires_at_ms > ctx.timestamp_ms + state.policy.pending_max_ms:
            return fail(Code.VALIDATION)
        if op.quotes and op.expires_at_ms > ctx.timestamp_ms + state.policy.quote_validity_max_ms:
            # Held open for a week, a quoted price would be the client's free option against the FX provider,
            # which may not void a hashlocked transfer: a quote's pending transfer is as short-lived as a quote
            # (and ends soon after its earliest quote: check_quotes).
            return fail(Code.VALIDATION)
        if len(op.condition) not in (0, CONDITION_BYTES):
            return fail(Code.VALIDATION)
        if bool(op.condition) != bool(op.payee):
            return fail(Code.VALIDATION)  # a hashlock names its payee, and only a hashlock has one
        if op.payee and (op.payee not in state.members
                         or all(account_owner(leg.credit) != op.payee for leg in legs)):
            return fail(Code.VALIDATION)  # the payee is a member credited by the transfer
    elif op.condition or op.payee:
        return fail(Code.VALIDATION)
    accounts = state.accounts
    signers = ctx.signers
    overlay: dict[str, Account] = {}
    unsigned_debits: dict[tuple[str, str], int] = {}  # (owner, currency) debited without the owner's signature
    credits: dict[tuple[str, str], int] = {}
    for i, leg in enumerate(legs):
        amount = leg.amount_minor
        if not 0 < amount <= AMOUNT_MINOR_MAX or leg.debit == leg.credit:
            return fail(Code.VALIDATION, i)
        debit = overlay.get(leg.debit) or accounts.get(leg.debit)
        credit = overlay.get(leg.credit) or accounts.get(leg.credit)
        if debit is None or credit is None:
            return fail(Code.ACCOUNT_NOT_FOUND, i)
        if debit.currency != leg.currency or credit.currency != leg.currency:
            return fail(Code.CURRENCY_MISMATCH, i)
        if (debit.flags | credit.flags) & ISSUANCE:
            return fail(Code.PERMISSION, i)  # issuance accounts move only through Issue and Redeem
        if debit.flags & FROZEN:
            return fail(Code.PAYER_BLOCKED, i)
        if credit.flags & FROZEN:
            return fail(Code.PAYEE_BLOCKED, i)
        debit_owner = account_owner(leg.debit)
        if debit_owner not in signers:
            if not ctx.quotes:
                return fail(Code.PERMISSION, i)
            key = (debit_owner, leg.currency)
            unsigned_debits[key] = unsigned_debits.get(key, 0) + amount
        if ctx.quotes:
            key = (account_owner(leg.credit), leg.currency)
            credits[key] = credits.get(key, 0) + amount
        if pending:
            debit = _with(debit, debits_pending=debit.debits_pending + amount)
        else:
            debit = _with(debit, debits_posted=debit.debits_posted + amount)
        if debit.debits_posted + debit.debits_pending > debit.credits_posted + debit.debit_cap_minor:
            return fail(Code.INSUFFICIENT_LIQUIDITY, i)
        if max(debit.debits_posted, debit.debits_pending) > AMOUNT_MINOR_MAX:
            return fail(Code.AMOUNT_LIMIT, i)
        overlay[leg.debit] = debit
        if pending:
            credit = _with(credit, credits_pending=credit.credits_pending + amount)
        else:
            credit = _with(credit, credits_posted=credit.credits_posted + amount)
        if max(credit.credits_posted, credit.credits_pending) > AMOUNT_MINOR_MAX:
            return fail(Code.AMOUNT_LIMIT, i)
        overlay[leg.credit] = credit
    if ctx.quotes:
        result = check_quotes(state, ctx, unsigned_debits, credits)
        if not result.ok:
            return result
    for account in overlay.values():
        state.put_account(account)
    if pending:
        state.put_pending(PendingTransfer(ctx.tx_id, ctx.submitter, legs, op.expires_at_ms, op.condition, op.payee))
    return OK


_with = msgspec.structs.replace  # a new immutable record with some fields changed


def _resolve(state: State, pending: PendingTransfer, status: int, ctx_tx: bytes, timestamp_ms: int) -> TxResult:
    """Release the reservations of a pending transfer; on POSTED also move the money."""
    overlay: dict[str, Account] = {}
    for i, leg in enumerate(pending.legs):
        debit = overlay.get(leg.debit) or state.accounts[leg.debit]
        credit_before = overlay.get(leg.credit) or state.accounts[leg.credit]
        if status == POSTED:
            if debit.flags & FROZEN:
                return fail(Code.PAYER_BLOCKED, i)
            if credit_before.flags & FROZEN:
                return fail(Code.PAYEE_BLOCKED, i)
            debit = _with(debit, debits_pending=debit.debits_pending - leg.amount_minor,
                          debits_posted=debit.debits_posted + leg.amount_minor)
            if debit.debits_posted > AMOUNT_MINOR_MAX:
                return fail(Code.AMOUNT_LIMIT, i)
        else:
            debit = _with(debit, debits_pending=debit.debits_pending - leg.amount_minor)
        overlay[leg.debit] = debit
        credit = overlay.get(leg.credit) or credit_before
        if status == POSTED:
            credit = _with(credit, credits_pending=credit.credits_pending - leg.amount_minor,
                           credits_posted=credit.credits_posted + leg.amount_minor)
            if credit.credits_posted > AMOUNT_MINOR_MAX:
                return fail(Code.AMOUNT_LIMIT, i)
        else:
            credit = _with(credit, credits_pending=credit.credits_pending - leg.amount_minor)
        overlay[leg.credit] = credit
    for account in overlay.values():
        state.put_account(account)
    state.put_pending(_with(pending, status=status, resolved_at_ms=timestamp_ms, resolved_by_tx=ctx_tx))
    return OK


def _open_pending(state: State, pending_id: bytes) -> PendingTransfer | TxResult:
    pending = state.pendings.get(pending_id)
    if pending is None:
        return fail(Code.TRANSFER_NOT_FOUND)
    if pending.status == EXPIRED:
        return fail(Code.TRANSFER_EXPIRED)
    if pending.status != PENDING:
        return fail(Code.ALREADY_RESOLVED)
    return pending


def apply_post(state: State, op: PostPending, ctx: Ctx) -> TxResult:
    pending = _open_pending(state, op.pending_id)
    if isinstance(pending, TxResult):
        return pending
    if pending.condition:
        # The preimage is the payee's consent: whoever reveals it may commit.
        if len(op.fulfilment) != CONDITION_BYTES or hashlib.sha256(op.fulfilment).digest() != pending.condition:
            return fail(Code.BAD_FULFILMENT)
    else:
        if op.fulfilment:
            return fail(Code.VALIDATION)
        if pending.creator not in ctx.signers:
            return fail(Code.PERMISSION)
    return _resolve(state, pending, POSTED, ctx.tx_id, ctx.timestamp_ms)


def apply_void(state: State, op: VoidPending, ctx: Ctx) -> TxResult:
    pending = _open_pending(state, op.pending_id)
    if isinstance(pending, TxResult):
        return pending
    if pending.condition:
        # What a hashlock promised, only its named payee may give up: not the payer, not another payee.
        allowed = pending.payee in ctx.signers
    else:
        payees = {account_owner(leg.credit) for leg in pending.legs}
        allowed = pending.creator in ctx.signers or bool(payees & ctx.signers)
    if not allowed:
        return fail(Code.PERMISSION)
    return _resolve(state, pending, VOIDED, ctx.tx_id, ctx.timestamp_ms)


def expire_due(state: State, timestamp_ms: int) -> list[bytes]:
    """Void every pending transfer whose deadline has come, oldest deadline first (then by id)."""
    expired: list[bytes] = []
    deadlines = state.pending_deadlines
    while deadlines and deadlines[0][0] <= timestamp_ms:
        _, pending_id = heapq.heappop(deadlines)
        pending = state.pendings.get(pending_id)
        if pending is not None and pending.status == PENDING:
            # Releasing reservations only lowers pending fields: it cannot fail.
            result = _resolve(state, pending, EXPIRED, b"", timestamp_ms)
            if not result.ok:
                raise InvariantError(f"pending transfer {pending_id.hex()} could not expire: {result.code}")
            expired.append(pending_id)
    return expired


def _issuer_checks(state: State, account_id: str, amount: int, currency: str, reference: str,
                   ctx: Ctx) -> TxResult | Account:
    if not 0 < amount <= AMOUNT_MINOR_MAX or not is_settlement_reference(reference):
        return fail(Code.VALIDATION)
    issuer = state.issuers.get(currency)
    if issuer is None:
        return fail(Code.VALIDATION)
    if issuer not in ctx.signers:
        return fail(Code.PERMISSION)
    account = state.accounts.get(account_id)
    if account is None:
        return fail(Code.ACCOUNT_NOT_FOUND)
    if account.currency != currency:
        return fail(Code.CURRENCY_MISMATCH)
    if account.flags & ISSUANCE:
        return fail(Code.VALIDATION)
    return account


def apply_issue(state: State, op: Issue, ctx: Ctx) -> TxResult:
    account = _issuer_checks(state, op.account, op.amount_minor, op.currency, op.reference, ctx)
    if isinstance(account, TxResult):
        return account
    if account.flags & FROZEN:
        return fail(Code.PAYEE_BLOCKED)
    source = state.accounts[issuance_account(state.issuers[op.currency], op.currency)]
    if max(source.debits_posted, account.credits_posted) + op.amount_minor > AMOUNT_MINOR_MAX:
        return fail(Code.AMOUNT_LIMIT)
    state.put_account(_with(source, debits_posted=source.debits_posted + op.amount_minor))
    state.put_account(_with(account, credits_posted=account.credits_posted + op.amount_minor))
    return OK


def apply_redeem(state: State, op: Redeem, ctx: Ctx) -> TxResult:
    account = _issuer_checks(state, op.account, op.amount_minor, op.currency, op.reference, ctx)
    if isinstance(account, TxResult):
        return account
    if account_owner(op.account) not in ctx.signers:
        return fail(Code.PERMISSION)  # the holder consents to give the money back, the issuer to pay it out
    if account.flags & FROZEN:
        return fail(Code.PAYER_BLOCKED)
    if account.balance_minor - account.debits_pending < op.amount_minor:
        # Money held, less what is reserved; never the debit cap: the issuer would pay out in cash what it lent
        # only for payments within the network.
        return fail(Code.INSUFFICIENT_LIQUIDITY)
    sink = state.accounts[issuance_account(state.issuers[op.currency], op.currency)]
    if max(account.debits_posted, sink.credits_posted) + op.amount_minor > AMOUNT_MINOR_MAX:
        return fail(Code.AMOUNT_LIMIT)
    state.put_account(_with(account, debits_posted=account.debits_posted + op.amount_minor))
    state.put_account(_with(sink, credits_posted=sink.credits_posted + op.amount_minor))
    return OK

