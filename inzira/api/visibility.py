"""Who a transaction, an account or a pending transfer concerns: the API's read rules.

Members with the regulator, central_bank or auditor role see everything. Every other member sees its own
accounts (id prefix "<member>:"), the pending transfers it created or that touch its accounts, and the
transactions it signed or whose operation touches one of its accounts (or lists it in the directory).
Membership changes concern every member. Block headers are public to all members.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import msgspec

from inzira.decoding import refusing_depth
from inzira.ledger.ids import account_owner
from inzira.ledger.records import PendingTransfer
from inzira.ledger.tx import MEMBERSHIP_OPS, PostPending, SetParty, SignedTx, Transfer, TxBody, VoidPending, tx_id_of

SEES_ALL_ROLES = frozenset({"regulator", "central_bank", "auditor"})

# Stored blocks were checked when they were committed: plain (not canonical-checking) decoders suffice. A block
# holds what its cutter took, so a transaction refused as malformed is there too, nested too deep perhaps.
_decode_signed = refusing_depth(msgspec.msgpack.Decoder(SignedTx).decode)
_decode_body = refusing_depth(msgspec.msgpack.Decoder(TxBody).decode)

PendingLookup = Callable[[bytes], PendingTransfer | None]


@dataclass(frozen=True, slots=True)
class Caller:
    member: str
    roles: frozenset[str]

    @property
    def sees_all(self) -> bool:
        return bool(self.roles & SEES_ALL_ROLES)


@dataclass(frozen=True, slots=True)
class Involvement:
    members: frozenset[str]
    everyone: bool = False  # a membership change concerns every member


@dataclass(frozen=True, slots=True)
class TxFacts:
    """What the API tells about a stored transaction without its full view."""

    tx_id: bytes  # empty when the bytes do not decode
    kind: str
    submitter: str
    involvement: Involvement


NOBODY = Involvement(frozenset())


def _touched(op: object, pending_of: PendingLookup) -> list[str]:
    """Members whose accounts the operation touches (or who created the pending transfer it resolves)."""
    if isinstance(op, Transfer):
        return [account_owner(a) for leg in op.legs for a in (leg.debit, leg.credit)]
    if isinstance(op, (PostPending, VoidPending)):
        pending = pending_of(op.pending_id)
        if pending is None:
            return []
        return [pending.creator] + [account_owner(a) for leg in pending.legs for a in (leg.debit, leg.credit)]
    if isinstance(op, SetParty):  # the FSP a directory entry lists (the operator signed it)
        return [op.fsp]
    account = getattr(op, "account", None)
    return [account_owner(account)] if isinstance(account, str) else []


def tx_facts(raw: bytes, key_owner: Mapping[bytes, str], pending_of: PendingLookup) -> TxFacts:
    try:
        signed = _decode_signed(raw)
        body = _decode_body(signed.body)
    except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError):  # msgspec's verdict on non-UTF-8
        return TxFacts(b"", "", "", NOBODY)  # only those who see everything see undecodable bytes
    signers = [key_owner[s.key] for s in signed.sigs if s.key in key_owner]
    submitter = body.submitter
    op = body.op
    involvement = Involvement(frozenset(signers + _touched(op, pending_of)), isinstance(op, MEMBERSHIP_OPS))
    return TxFacts(tx_id_of(signed.body), type(op).__name__, submitter, involvement)


def may_see(caller: Caller, involvement: Involvement) -> bool:
    return caller.sees_all or involvement.everyone or caller.member in involvement.members


def may_see_account(caller: Caller, account_id: str) -> bool:
    return caller.sees_all or account_owner(account_id) == caller.member


def may_see_pending(caller: Caller, pending: PendingTransfer) -> bool:
    if caller.sees_all or pending.creator == caller.member:
        return True
    return any(caller.member in (account_owner(leg.debit), account_owner(leg.credit)) for leg in pending.legs)
