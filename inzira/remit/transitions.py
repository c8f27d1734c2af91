"""Every change of a transfer's state goes through here: checked, stored with its timeline step, announced.

States only move forward. News of a transfer can arrive from several places (the submitter's verdict, the
ledger's feed, reconciliation) in any order, so a late or repeated report of an earlier state is ignored,
and a commit seen before the reservation's own verdict first records the reservation.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import msgspec

from inzira.remit.events import EventHub
from inzira.remit.records import PAYEE_STEPS, DecisionRecord, TimelineStep, TransferRecord, TransferState
from inzira.remit.store.transfers import TransferStore

S = TransferState
_NEXT: dict[TransferState, frozenset[TransferState]] = {
    S.HELD: frozenset({S.RECEIVED, S.REJECTED, S.ABORTED}),
    S.RECEIVED: frozenset({S.RESERVED, S.COMMITTED, S.ABORTED}),
    S.RESERVED: frozenset({S.COMMITTED, S.ABORTED}),
    S.REJECTED: frozenset(),
    S.COMMITTED: frozenset(),
    S.ABORTED: frozenset(),
}
_ON_CHAIN = frozenset({S.RESERVED, S.COMMITTED})


def event_data(record: TransferRecord, step: TimelineStep) -> dict[str, Any]:
    return {"transfer_id": record.transfer_id, "state": record.state.value, "step": step.step,
            "detail": step.detail, "code": step.code, "tx_id": step.tx_id.hex() or None,
            "sending_fsp": record.sending_fsp, "receiving_fsp": record.receiving_fsp,
            "pending_id": record.reserve_tx_id.hex() or None}


class Transitions:
    def __init__(self, store: TransferStore, hub: EventHub, clock_ms: Callable[[], int]) -> None:
        self.store = store
        self.hub = hub
        self.clock_ms = clock_ms
        self._lock = threading.Lock()

    def _members(self, record: TransferRecord, step: TimelineStep) -> frozenset[str]:
        # The receiving FSP hears of a transfer only once money is reserved for it, and then only the steps its
        # view shows (a RESCREENED step names the sending side's list and match).
        if (record.state in _ON_CHAIN or record.reserve_tx_id) and step.step in PAYEE_STEPS:
            return frozenset({record.sending_fsp, record.receiving_fsp})
        return frozenset({record.sending_fsp})

    def announce(self, record: TransferRecord, step: TimelineStep) -> None:
        self.hub.publish("transfer", self._members(record, step), record.transfer_id, event_data(record, step))

    def create(self, record: TransferRecord, decision: DecisionRecord, reserve_tx: bytes | None,
               detail: str) -> None:
        step = TimelineStep(record.created_at_ms, record.state.value, record.state.value, detail, record.code)
        self.store.create(record, step, decision, reserve_tx)
        self.announce(record, step)

    def advance(self, transfer_id: str, state: TransferState, *, code: int = 0, detail: str = "",
                tx_id: bytes = b"", changes: dict[str, Any] | None = None, reserve_tx: bytes | None = None,
                decision: DecisionRecord | None = None, step_name: str | None = None) -> TransferRecord | None:
        """Move to ``state`` if that is forward from where the transfer is; return the record as it now is."""
        announced: list[tuple[TransferRecord, TimelineStep]] = []
        with self._lock:
            current = self.store.get(transfer_id)
            if current is None:
                return None
            if state not in _NEXT[current.state]:
                return current
            now_ms = max(self.clock_ms(), current.updated_at_ms)
            if state is S.COMMITTED and current.state is S.RECEIVED:
                reserved = msgspec.structs.replace(current, state=S.RESERVED, updated_at_ms=now_ms)
                step = TimelineStep(now_ms, S.RESERVED.value, S.RESERVED.value, "funds reserved on the ledger",
                                    0, current.reserve_tx_id)
                self.store.update(reserved, step)
                announced.append((reserved, step))
                current = reserved
            record = msgspec.structs.replace(current, state=state, code=code, reason=detail if code else "",
                                             updated_at_ms=now_ms, **(changes or {}))
            step = TimelineStep(now_ms, step_name or state.value, state.value, detail, code, tx_id)
            self.store.update(record, step, reserve_tx, decision)
            announced.append((record, step))
        for rec, st in announced:
            self.announce(rec, st)
        return record

    def note(self, transfer_id: str, step_name: str, detail: str, code: int = 0, tx_id: bytes = b"") -> None:
        """A step that does not change the state (the receiving FSP's payout progress)."""
        with self._lock:
            current = self.store.get(transfer_id)
            if current is None:
                return
            step = TimelineStep(self.clock_ms(), step_name, current.state.value, detail, code, tx_id)
            self.store.add_step(transfer_id, step)
        self.announce(current, step)
