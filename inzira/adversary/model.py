"""Ground truth: an independent ledger of what the verdicts say happened.

The model applies the effect of every transaction its block committed (verdict OK), and the expiries it
works out itself, knowing nothing of the state machine beyond those effects. Compared with the state:
- a payment applied twice, or applied while its verdict said otherwise, shows as a balance that differs;
- a transaction id committed twice, or a client reference committed twice while it is held, is a duplicate
  applied; a pending transfer resolved twice (post, void or expiry, across blocks) is counted;
- an expiry the model did not expect (or one it expected that did not happen) is counted;
- a commit that breaks a rule of who may do what (``rules``) is counted.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Sequence

from inzira.adversary.rules import Members, PendingView
from inzira.ledger.apply import Prepared, ref_key_of
from inzira.ledger.context import TxResult
from inzira.ledger.genesis import Genesis
from inzira.ledger.ids import account_owner, issuance_account
from inzira.ledger.records import EXPIRED, PENDING, POSTED, VOIDED, Leg
from inzira.ledger.state import State
from inzira.ledger.tx import Issue, OpenAccount, PostPending, Redeem, Transfer, VoidPending

EXAMPLES_MAX = 5  # messages kept of each kind of fault, for the report


@dataclass(slots=True)
class Pending:
    view: PendingView
    legs: tuple[Leg, ...]


def _key(tx_id: bytes) -> int:
    return int.from_bytes(tx_id[:8], "big")  # 8 bytes tell a million ids apart (collision odds ~2^-25)


@dataclass
class Faults:
    duplicates_applied: int = 0
    resolved_twice: int = 0
    expiry_mismatches: int = 0
    rule_violations: int = 0
    model_mismatches: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, kind: str, message: str) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if len(self.examples) < 4 * EXAMPLES_MAX:
            self.examples.append(f"{kind}: {message}")


class Model:
    def __init__(self, genesis: Genesis) -> None:
        self.members = Members(genesis)
        # account -> [debits_posted, credits_posted, debits_pending, credits_pending]
        self.balances: dict[str, list[int]] = {}
        self.currency_of: dict[str, str] = {}
        for code, issuer in genesis.issuers().items():
            self._open(issuance_account(issuer, code), code)
        self.open: dict[bytes, Pending] = {}
        self.resolved: dict[bytes, int] = {}  # pending id -> how it ended (POSTED, VOIDED, EXPIRED)
        self._deadlines: list[tuple[int, bytes]] = []
        self._committed: set[int] = set()
        self._refs: dict[bytes, int] = {}  # reference key -> deadline of the committed transaction holding it
        self._ref_deadlines: list[tuple[int, bytes]] = []
        self.faults = Faults()
        self.commits = 0

    def _open(self, account: str, currency: str) -> None:
        self.balances[account] = [0, 0, 0, 0]
        self.currency_of[account] = currency

    # --- following the chain ---

    def block(self, timestamp_ms: int, items: Sequence[Prepared], results: Sequence[TxResult],
              expired: Sequence[bytes]) -> None:
        due = self._expire(timestamp_ms)
        if set(due) != set(expired):
            self.faults.note("expiry_mismatches",
                             f"at {timestamp_ms}: expected {len(due)} expiries, got {len(expired)}")
        self._prune_refs(timestamp_ms)
        for p, result in zip(items, results):
            if result.code == 0:
                self._committed_tx(p, timestamp_ms)

    def _committed_tx(self, p: Prepared, timestamp_ms: int) -> None:
        body = p.body
        if body is None:
            self.faults.note("rule_violations", "committed bytes that do not decode")
            return
        self.commits += 1
        key = _key(p.tx_id)
        ref = ref_key_of(body)
        if key in self._committed:
            self.faults.note("duplicates_applied", f"id {p.tx_id.hex()[:16]} committed twice")
        elif self._refs.get(ref, 0) > timestamp_ms:
            self.faults.note("duplicates_applied", f"reference {ref!r} committed twice while held")
        self._committed.add(key)
        self._refs[ref] = body.expires_at_ms
        heapq.heappush(self._ref_deadlines, (body.expires_at_ms, ref))
        op = body.op
        pending = None
        if type(op) is PostPending or type(op) is VoidPending:
            found = self.open.get(op.pending_id)
            pending = found.view if found is not None else None
        broken = self.members.broken_rule(body, p.sigs, pending, self.currency_of)
        if broken:
            self.faults.note("rule_violations", f"{type(op).__name__} {p.tx_id.hex()[:16]}: {broken}")
        self.members.committed(op)
        self._effect(p.tx_id, body.submitter, op)

    def _effect(self, tx_id: bytes, submitter: str, op: object) -> None:
        kind = type(op)
        if kind is Transfer:
            pending = op.expires_at_ms != 0
            for leg in op.legs:
                self._move(leg.debit, 2 if pending else 0, leg.amount_minor)
                self._move(leg.credit, 3 if pending else 1, leg.amount_minor)
            if pending:
                payees = frozenset(account_owner(leg.credit) for leg in op.legs)
                self.open[tx_id] = Pending(PendingView(submitter, payees, op.condition, op.payee), op.legs)
                heapq.heappush(self._deadlines, (op.expires_at_ms, tx_id))
        elif kind is PostPending:
            self._resolve(op.pending_id, POSTED)
        elif kind is VoidPending:
            self._resolve(op.pending_id, VOIDED)
        elif kind is Issue:
            self._move(issuance_account(self.members.issuers[op.currency], op.currency), 0, op.amount_minor)
            self._move(op.account, 1, op.amount_minor)
        elif kind is Redeem:
            self._move(op.account, 0, op.amount_minor)
            self._move(issuance_account(self.members.issuers[op.currency], op.currency), 1, op.amount_minor)
        elif kind is OpenAccount:
            if op.account in self.balances:
                self.faults.note("rule_violations", f"account {op.account} opened twice")
            self._open(op.account, op.currency)

    def _move(self, account: str, field_index: int, amount: int) -> None:
        balances = self.balances.get(account)
        if balances is None:
            self.faults.note("rule_violations", f"money moved through unknown account {account!r}")
            return
        balances[field_index] += amount

    def _resolve(self, pending_id: bytes, status: int) -> None:
        pending = self.open.pop(pending_id, None)
        if pending is None:
            kind = "resolved_twice" if pending_id in self.resolved else "rule_violations"
            self.faults.note(kind, f"pending {pending_id.hex()[:16]} resolved again or never opened")
            return
        self.resolved[pending_id] = status
        for leg in pending.legs:
            amount = leg.amount_minor
            self._move(leg.debit, 2, -amount)
            self._move(leg.credit, 3, -amount)
            if status == POSTED:
                self._move(leg.debit, 0, amount)
                self._move(leg.credit, 1, amount)

    def _expire(self, timestamp_ms: int) -> list[bytes]:
        due: list[bytes] = []
        while self._deadlines and self._deadlines[0][0] <= timestamp_ms:
            _, pending_id = heapq.heappop(self._deadlines)
            if pending_id in self.open:
                self._resolve(pending_id, EXPIRED)
                due.append(pending_id)
        return due

    def _prune_refs(self, timestamp_ms: int) -> None:
        refs, deadlines = self._refs, self._ref_deadlines
        while deadlines and deadlines[0][0] <= timestamp_ms:
            deadline, ref = heapq.heappop(deadlines)
            if refs.get(ref) == deadline:
                del refs[ref]

    # --- comparing with the state ---

    def compare(self, state: State) -> int:
        """Count (and note) every difference between the state and the model; 0 when they agree."""
        differences = 0
        for account_id in set(state.accounts) ^ set(self.balances):
            differences += 1
            self.faults.note("model_mismatches", f"account {account_id} exists on one side only")
        for account_id, a in state.accounts.items():
            expected = self.balances.get(account_id)
            got = [a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending]
            if expected is not None and got != expected:
                differences += 1
                self.faults.note("model_mismatches", f"account {account_id}: state {got}, model {expected}")
        open_in_state = {pid for pid, p in state.pendings.items() if p.status == PENDING}
        if open_in_state != set(self.open):
            differences += 1
            self.faults.note("model_mismatches", f"{len(open_in_state ^ set(self.open))} open pending transfers differ")
        for pid, p in state.pendings.items():
            if p.status != PENDING and self.resolved.get(pid) != p.status:
                differences += 1
                self.faults.note("model_mismatches", f"pending {pid.hex()[:16]}: status {p.status}, "
                                                     f"model {self.resolved.get(pid)}")
        return differences
