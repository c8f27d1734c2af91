"""The rules no committed transaction may break, checked from outside the state machine on every verdict OK.

A second, independent statement of who may do what (the trust model): the members, their keys and roles
are tracked here from the committed membership changes, the signers of each committed transaction are
worked out from them, and a commit the rules forbid is reported, whatever the state machine answered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from inzira.ledger.genesis import Genesis
from inzira.ledger.ids import account_owner
from inzira.ledger.tx import (
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
    Sig,
    Transfer,
    TxBody,
    VoidPending,
    decode_quote,
)

ISSUER_ROLES = frozenset({"central_bank", "issuer"})
DIRECTORY_ROLES = frozenset({"receiving_fsp", "wallet_issuer"})


@dataclass(frozen=True, slots=True)
class MemberView:
    keys: tuple[bytes, ...]
    threshold: int
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PendingView:
    creator: str
    payees: frozenset[str]  # owners of the credited accounts
    condition: bytes
    payee: str


def quorum(votes: int, members: int) -> bool:
    return 3 * votes > 2 * members


class Members:
    def __init__(self, genesis: Genesis) -> None:
        self.issuers = genesis.issuers()
        self.quote_hold_after_max_ms = genesis.policy.quote_hold_after_max_ms
        self.members = {m.id: MemberView(tuple(m.keys), m.threshold, tuple(m.roles))
                        for m in genesis.members_records()}
        self.owner = {key: member_id for member_id, m in self.members.items() for key in m.keys}

    def _put(self, member_id: str, view: MemberView | None) -> None:
        old = self.members.pop(member_id, None)
        for key in old.keys if old else ():
            self.owner.pop(key, None)
        if view is not None:
            self.members[member_id] = view
            self.owner.update((key, member_id) for key in view.keys)

    def committed(self, op: object) -> None:
        """Follow a committed membership change."""
        if type(op) is AddMember:
            self._put(op.spec.id, MemberView(op.spec.keys, op.spec.threshold, op.spec.roles))
        elif type(op) is RotateKeys:
            self._put(op.member, MemberView(op.keys, op.threshold, self.members[op.member].roles))
        elif type(op) is SetRoles:
            old = self.members[op.member]
            self._put(op.member, MemberView(old.keys, old.threshold, op.roles))
        elif type(op) is RemoveMember:
            self._put(op.member, None)

    def _own_threshold(self, member_id: str, keys: set[bytes]) -> bool:
        member = self.members.get(member_id)
        return member is not None and len(keys & set(member.keys)) >= member.threshold

    def broken_rule(self, body: TxBody, sigs: tuple[Sig, ...], pending: PendingView | None,
                    currency_of: dict[str, str]) -> str:
        """Why committing ``body`` broke a rule, or "" when it did not."""
        keys = {s.key for s in sigs}
        if not keys or any(k not in self.owner for k in keys):
            return "committed without signatures, or with a non-member's"
        signers = {self.owner[k] for k in keys}
        if body.submitter not in signers:
            return "committed without its submitter's signature"
        op, n = body.op, len(self.members)
        kind = type(op)
        if kind is Transfer:
            if not op.quotes and any(account_owner(leg.debit) not in signers for leg in op.legs):
                return "debited an account whose owner did not sign, with no quote"
            if op.condition and op.payee not in {account_owner(leg.credit) for leg in op.legs}:
                return "a hashlock whose payee is not credited"
            if op.quotes and op.expires_at_ms and op.expires_at_ms > self.quote_hold_after_max_ms + min(
                    decode_quote(q.body).expires_at_ms for q in op.quotes):
                return "a quoted hold open past its earliest quote's grace"
        elif kind is PostPending or kind is VoidPending:
            if pending is None:
                return "resolved a pending transfer that is not open"
            if kind is PostPending and pending.condition:
                if hashlib.sha256(op.fulfilment).digest() != pending.condition:
                    return "posted a hashlock without its preimage"
            elif kind is PostPending and pending.creator not in signers:
                return "posted a pending transfer without its creator"
            elif kind is VoidPending and pending.condition and pending.payee not in signers:
                return "voided a hashlock without its payee"
            elif kind is VoidPending and not pending.condition and not ({pending.creator} | pending.payees) & signers:
                return "voided a pending transfer without its creator or a payee"
        elif kind is Issue or kind is Redeem:
            if self.issuers.get(op.currency) not in signers:
                return "issued or redeemed without the issuer"
            if kind is Redeem and account_owner(op.account) not in signers:
                return "redeemed without the holder"
        elif kind is OpenAccount:
            if account_owner(op.account) not in signers:
                return "opened an account for another member"
        elif kind is SetDebitCap:
            if self.issuers.get(currency_of.get(op.account, "")) not in signers:
                return "set a debit cap without the currency's issuer"
        elif kind is SetFrozen:
            if not any("regulator" in self.members[m].roles for m in signers):
                return "froze or unfroze without the regulator"
        elif kind is SetParty:
            if "directory_operator" not in self.members[body.submitter].roles:
                return "a directory entry not signed by the directory operator"
            listed = self.members.get(op.fsp)
            if op.active and (listed is None or not DIRECTORY_ROLES & set(listed.roles)):
                return "a number listed for a member without a directory role"
        elif kind is AddMember:
            if not quorum(len(signers), n) or set(op.spec.roles) & ISSUER_ROLES:
                return "admitted a member without a quorum, or gave issuer roles"
            if any(account_owner(account) == op.spec.id for account in currency_of):
                return "admitted new keys under the id of a removed member, whose accounts remain"
        elif kind is RotateKeys:
            if not self._own_threshold(op.member, keys):
                return "rotated a member's keys without its own threshold"
        elif kind is SetRoles:
            old = self.members.get(op.member)
            if old is None or not self._own_threshold(op.member, keys) or not quorum(len(signers), n):
                return "changed roles without the member's threshold and a quorum"
            if set(op.roles) & ISSUER_ROLES != set(old.roles) & ISSUER_ROLES:
                return "changed issuer roles"
        elif kind is RemoveMember:
            old = self.members.get(op.member)
            if old is None or not quorum(len(signers - {op.member}), n) or set(old.roles) & ISSUER_ROLES:
                return "removed a member without a quorum of the others, or an issuer"
        return ""
