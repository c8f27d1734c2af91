"""Operations that shape the network rather than move money: accounts, limits, freezes and the party
directory (membership is in ``membership.py``)."""

from __future__ import annotations

import msgspec

from inzira.ledger.codes import Code
from inzira.ledger.context import OK, Ctx, TxResult, fail
from inzira.ledger.ids import HASH_BYTES, account_owner, is_account_id
from inzira.ledger.records import FROZEN, ISSUANCE, Account
from inzira.ledger.state import State
from inzira.ledger.tx import OpenAccount, SetDebitCap, SetFrozen, SetParty
from inzira.money import AMOUNT_MINOR_MAX

REGULATOR_ROLE = "regulator"
DIRECTORY_ROLES = frozenset({"receiving_fsp", "wallet_issuer"})  # who may be listed
DIRECTORY_OPERATOR_ROLE = "directory_operator"


def apply_open_account(state: State, op: OpenAccount, ctx: Ctx) -> TxResult:
    if not is_account_id(op.account) or op.currency not in state.issuers:
        return fail(Code.VALIDATION)
    if account_owner(op.account) not in ctx.signers:
        return fail(Code.PERMISSION)
    if op.account in state.accounts:
        return fail(Code.ALREADY_EXISTS)
    state.put_account(Account(op.account, op.currency))
    return OK


def _account_for_issuer_or_regulator(state: State, account_id: str) -> Account | TxResult:
    account = state.accounts.get(account_id)
    if account is None:
        return fail(Code.ACCOUNT_NOT_FOUND)
    if account.flags & ISSUANCE:
        return fail(Code.VALIDATION)
    return account


def apply_debit_cap(state: State, op: SetDebitCap, ctx: Ctx) -> TxResult:
    """The issuer of a currency extends (or withdraws) a credit line: how far debits may exceed credits."""
    account = _account_for_issuer_or_regulator(state, op.account)
    if isinstance(account, TxResult):
        return account
    if state.issuers[account.currency] not in ctx.signers:
        return fail(Code.PERMISSION)
    if not 0 <= op.cap_minor <= AMOUNT_MINOR_MAX:
        return fail(Code.VALIDATION)
    if account.debits_posted + account.debits_pending > account.credits_posted + op.cap_minor:
        return fail(Code.VALIDATION)  # a cap below what is already drawn would break the limit
    state.put_account(msgspec.structs.replace(account, debit_cap_minor=op.cap_minor))
    return OK


def apply_frozen(state: State, op: SetFrozen, ctx: Ctx) -> TxResult:
    account = _account_for_issuer_or_regulator(state, op.account)
    if isinstance(account, TxResult):
        return account
    if not any(REGULATOR_ROLE in state.members[m].roles for m in ctx.signers):
        return fail(Code.PERMISSION)
    flags = account.flags | FROZEN if op.frozen else account.flags & ~FROZEN
    state.put_account(msgspec.structs.replace(account, flags=flags))
    return OK


def apply_party(state: State, op: SetParty, ctx: Ctx) -> TxResult:
    """The directory operator lists a number's keyed hash for the FSP that serves it, moves it to another FSP
    (a dispute the regulator decided), or removes it. No other member signs the directory: it cannot hash
    numbers (the operator alone holds the key), and so can neither squat one nor take one over."""
    if len(op.party) != HASH_BYTES:
        return fail(Code.VALIDATION)
    if DIRECTORY_OPERATOR_ROLE not in state.members[ctx.submitter].roles:
        return fail(Code.PERMISSION)
    current = state.parties.get(op.party)
    if op.active:
        fsp = state.members.get(op.fsp)
        if fsp is None:
            return fail(Code.MEMBER_NOT_FOUND)
        if not DIRECTORY_ROLES & set(fsp.roles):
            return fail(Code.PERMISSION)
        if current == op.fsp:
            return fail(Code.ALREADY_EXISTS)
        state.put_party(op.party, op.fsp)
    else:
        if current is None or current != op.fsp:  # naming the FSP keeps a late removal from undoing a move
            return fail(Code.PARTY_NOT_FOUND)
        state.put_party(op.party, None)
    return OK
