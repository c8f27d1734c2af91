"""Operations that shape the network rather than move money: accounts, limits, freezes, the party
directory and membership."""

from __future__ import annotations

import msgspec

from inzira.ledger.codes import Code
from inzira.ledger.context import OK, Ctx, TxResult, fail
from inzira.ledger.ids import HASH_BYTES, NAME_CHARS_MAX, account_owner, is_account_id, is_member_id
from inzira.ledger.records import FROZEN, ISSUANCE, ROLES, Account, Member
from inzira.ledger.state import State
from inzira.ledger.tx import MEMBERSHIP_CHANGES_MAX, ChangeMembership, OpenAccount, SetDebitCap, SetFrozen, SetParty
from inzira.money import AMOUNT_MINOR_MAX

REGULATOR_ROLE = "regulator"
DIRECTORY_ROLES = frozenset({"receiving_fsp", "wallet_issuer"})
MEMBER_KEYS_MAX = 8


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
    """The receiving FSP that serves a phone number registers (or removes) its keyed hash."""
    if len(op.party) != HASH_BYTES:
        return fail(Code.VALIDATION)
    fsp = ctx.submitter
    if not DIRECTORY_ROLES & set(state.members[fsp].roles):
        return fail(Code.PERMISSION)
    current = state.parties.get(op.party)
    if op.active:
        if current is not None:
            return fail(Code.ALREADY_EXISTS)
        state.put_party(op.party, fsp)
    else:
        if current is None:
            return fail(Code.PARTY_NOT_FOUND)
        if current != fsp:
            return fail(Code.PERMISSION)
        state.put_party(op.party, None)
    return OK


def _valid_spec(spec, state: State, removing: set[str]) -> bool:
    if not is_member_id(spec.id) or not 0 < len(spec.name) <= NAME_CHARS_MAX:
        return False
    if not spec.roles or not set(spec.roles) <= ROLES or not 0 < len(spec.keys) <= MEMBER_KEYS_MAX:
        return False
    for key in spec.keys:
        owner = state.key_owner.get(key)
        if len(key) != 32 or (owner is not None and owner != spec.id and owner not in removing):
            return False
    return len(set(spec.keys)) == len(spec.keys)


def apply_membership(state: State, op: ChangeMembership, ctx: Ctx) -> TxResult:
    """Add, replace (rotate keys, change roles) or remove members, with a quorum of member signatures."""
    if len(ctx.signers) < state.policy.membership_quorum:
        return fail(Code.QUORUM)
    if not 0 < len(op.add) + len(op.remove) <= MEMBERSHIP_CHANGES_MAX:
        return fail(Code.VALIDATION)
    removing = set(op.remove)
    adding = [spec.id for spec in op.add]
    if len(removing) != len(op.remove) or len(set(adding)) != len(adding) or removing & set(adding):
        return fail(Code.VALIDATION)
    issuers = set(state.issuers.values())
    for i, member_id in enumerate(op.remove):
        if member_id not in state.members:
            return fail(Code.MEMBER_NOT_FOUND, i)
        if member_id in issuers:
            return fail(Code.VALIDATION, i)  # a currency's issuer cannot leave while its currency exists
    for i, spec in enumerate(op.add):
        if not _valid_spec(spec, state, removing):
            return fail(Code.VALIDATION, i)
    all_new_keys = [k for spec in op.add for k in spec.keys]
    if len(set(all_new_keys)) != len(all_new_keys):
        return fail(Code.VALIDATION)
    remaining = len(state.members) - len(removing) + sum(1 for m in adding if m not in state.members)
    if remaining < state.policy.membership_quorum:
        return fail(Code.VALIDATION)
    for member_id in op.remove:
        state.remove_member(member_id)
    for spec in op.add:
        state.put_member(Member(spec.id, spec.name, tuple(spec.roles), tuple(spec.keys)))
    return OK
