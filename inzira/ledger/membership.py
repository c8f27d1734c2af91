"""Membership: who the members are, their keys and roles.

Three powers are kept apart:
- a quorum (more than two thirds of the current members) admits a member, changes roles and removes one;
- a member's own keys (``threshold`` of them) are the only way to change its keys, and they must also sign
  any change of its roles, so no quorum can take a member over;
- the roles that issue money (``ISSUER_ROLES``) come from the genesis alone: no quorum gives or takes them,
  and their holders cannot be removed.
A removed member leaves nothing behind that could still move: its accounts are empty or frozen (and are
frozen with it), it has no open pending transfer and no directory entry; and its id, which its accounts
still carry, is never admitted again.
"""

from __future__ import annotations

import msgspec

from inzira.ledger.codes import Code
from inzira.ledger.context import OK, Ctx, TxResult, fail
from inzira.ledger.ids import NAME_CHARS_MAX, account_owner, is_member_id
from inzira.ledger.records import FROZEN, ISSUER_ROLES, PENDING, ROLES, Member
from inzira.ledger.state import State
from inzira.ledger.tx import AddMember, MemberSpec, RemoveMember, RotateKeys, SetRoles

MEMBER_KEYS_MAX = 8
MEMBER_ROLES_MAX = len(ROLES)
PUBLIC_KEY_BYTES = 32


def quorum_met(votes: int, members: int) -> bool:
    """More than two thirds of the members."""
    return 3 * votes > 2 * members


def own_threshold_met(member: Member, ctx: Ctx) -> bool:
    return sum(1 for key in member.keys if key in ctx.signed_keys) >= member.threshold


def _valid_roles(roles: tuple[str, ...]) -> bool:
    return 0 < len(roles) <= MEMBER_ROLES_MAX and len(set(roles)) == len(roles) and set(roles) <= ROLES


def _valid_keys(state: State, member_id: str, keys: tuple[bytes, ...], threshold: int) -> bool:
    if not 0 < len(keys) <= MEMBER_KEYS_MAX or len(set(keys)) != len(keys):
        return False
    if not 1 <= threshold <= len(keys):
        return False
    for key in keys:
        owner = state.key_owner.get(key)
        if len(key) != PUBLIC_KEY_BYTES or (owner is not None and owner != member_id):
            return False
    return True


def _valid_spec(state: State, spec: MemberSpec) -> bool:
    if not is_member_id(spec.id) or not 0 < len(spec.name) <= NAME_CHARS_MAX:
        return False
    return _valid_roles(spec.roles) and _valid_keys(state, spec.id, spec.keys, spec.threshold)


def apply_add_member(state: State, op: AddMember, ctx: Ctx) -> TxResult:
    if not quorum_met(len(ctx.signers), len(state.members)):
        return fail(Code.QUORUM)
    spec = op.spec
    if not _valid_spec(state, spec):
        return fail(Code.VALIDATION)
    if spec.id in state.members:
        return fail(Code.ALREADY_EXISTS)
    if any(account_owner(account) == spec.id for account in state.accounts):
        # A removed member's accounts (frozen, perhaps not empty) stay its own: its id is never given again,
        # or a quorum could admit new keys under it and take the money once the accounts were unfrozen.
        return fail(Code.ALREADY_EXISTS)
    if set(spec.roles) & ISSUER_ROLES:
        return fail(Code.PERMISSION)
    state.put_member(Member(spec.id, spec.name, spec.roles, spec.keys, spec.threshold))
    return OK


def apply_rotate_keys(state: State, op: RotateKeys, ctx: Ctx) -> TxResult:
    member = state.members.get(op.member)
    if member is None:
        return fail(Code.MEMBER_NOT_FOUND)
    if not own_threshold_met(member, ctx):
        return fail(Code.PERMISSION)
    if not _valid_keys(state, member.id, op.keys, op.threshold):
        return fail(Code.VALIDATION)
    state.put_member(msgspec.structs.replace(member, keys=op.keys, threshold=op.threshold))
    return OK


def apply_set_roles(state: State, op: SetRoles, ctx: Ctx) -> TxResult:
    member = state.members.get(op.member)
    if member is None:
        return fail(Code.MEMBER_NOT_FOUND)
    if not _valid_roles(op.roles):
        return fail(Code.VALIDATION)
    if not own_threshold_met(member, ctx):
        return fail(Code.PERMISSION)
    if not quorum_met(len(ctx.signers), len(state.members)):
        return fail(Code.QUORUM)
    if set(op.roles) & ISSUER_ROLES != set(member.roles) & ISSUER_ROLES:
        return fail(Code.PERMISSION)
    state.put_member(msgspec.structs.replace(member, roles=op.roles))
    return OK


def apply_remove_member(state: State, op: RemoveMember, ctx: Ctx) -> TxResult:
    member = state.members.get(op.member)
    if member is None:
        return fail(Code.MEMBER_NOT_FOUND)
    # The member being removed counts among the members and cannot vote for or against itself.
    if not quorum_met(len(ctx.signers - {member.id}), len(state.members)):
        return fail(Code.QUORUM)
    if set(member.roles) & ISSUER_ROLES or member.id in state.issuers.values() or len(state.members) == 1:
        return fail(Code.PERMISSION)
    if state.party_counts.get(member.id, 0):
        return fail(Code.VALIDATION)  # its directory entries must be removed first
    owned = [a for a in state.accounts.values() if account_owner(a.id) == member.id]
    for account in owned:
        if account.debits_pending or account.credits_pending:
            return fail(Code.VALIDATION)
        if account.balance_minor and not account.flags & FROZEN:
            return fail(Code.VALIDATION)
    if any(p.status == PENDING and (p.creator == member.id or p.payee == member.id) for p in state.pendings.values()):
        return fail(Code.VALIDATION)
    for account in owned:
        if not account.flags & FROZEN:
            state.put_account(msgspec.structs.replace(account, flags=account.flags | FROZEN))
    state.remove_member(member.id)
    return OK
