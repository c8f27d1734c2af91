"""The ledger's invariants, checked from scratch: money is conserved per currency and no account is beyond its
limit. A broken one is a bug, never an expected outcome: the node stops (``InvariantError``).

``State`` checks the accounts a block touched as it seals the block; ``check_state`` checks everything again,
as tests, the soak tools and a chain replay (`chain.replay`, `inzira chain verify`) do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from inzira.ledger.records import PENDING, Account
from inzira.money import AMOUNT_MINOR_MAX

if TYPE_CHECKING:  # State calls these as it seals every block
    from inzira.ledger.state import State


class InvariantError(RuntimeError):
    """A broken invariant is a bug, never an expected outcome: the node stops."""


def check_state(state: State) -> None:
    """Money is conserved per currency, no account is beyond its limit, and the indexes the state keeps beside
    its records (running totals, pending reservations, directory counts) agree with them; raise if not."""
    posted: dict[str, int] = {}
    pending_debits: dict[str, int] = {}
    pending_credits: dict[str, int] = {}
    for a in state.accounts.values():
        posted[a.currency] = posted.get(a.currency, 0) + a.credits_posted - a.debits_posted
        pending_debits[a.currency] = pending_debits.get(a.currency, 0) + a.debits_pending
        pending_credits[a.currency] = pending_credits.get(a.currency, 0) + a.credits_pending
        check_account(a)
    for currency, total in posted.items():
        if total != 0:
            raise InvariantError(f"{currency}: posted balances sum to {total}, not 0")
        if pending_debits[currency] != pending_credits[currency]:
            raise InvariantError(f"{currency}: pending debits and credits differ")
    reserved: dict[str, int] = {}
    for p in state.pendings.values():
        if p.status == PENDING:
            for leg in p.legs:
                reserved[leg.debit] = reserved.get(leg.debit, 0) + leg.amount_minor
    for account in state.accounts.values():
        if account.debits_pending != reserved.get(account.id, 0):
            raise InvariantError(f"account {account.id}: debits_pending differs from open pending transfers")
    if state.totals != {c: [posted[c], pending_debits[c], pending_credits[c]] for c in posted}:
        raise InvariantError("running totals per currency differ from the accounts")
    counts: dict[str, int] = {}
    for fsp in state.parties.values():
        counts[fsp] = counts.get(fsp, 0) + 1
    if {k: v for k, v in state.party_counts.items() if v} != counts:
        raise InvariantError("directory entry counts differ from the directory")


def check_account(a: Account) -> None:
    """One account's invariants: no balance field negative or past 2^63 - 1, and within its limit."""
    fields = (a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending, a.debit_cap_minor)
    if min(fields) < 0 or max(fields) > AMOUNT_MINOR_MAX:
        raise InvariantError(f"account {a.id}: a balance field is out of range")
    if not a.issuance and a.debits_posted + a.debits_pending > a.credits_posted + a.debit_cap_minor:
        raise InvariantError(f"account {a.id}: beyond its limit")
