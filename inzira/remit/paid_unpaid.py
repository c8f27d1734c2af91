"""A receiving FSP that paid the wallet and was not paid: flagged for reconciliation, once.

The operator confirmed the payout, but the reservation ended on chain without the FSP's commit (it expired
while the commit's verdict did not come back, or was voided): the wallet holds the money and the sender has it
back, so the FSP must recover it off-ledger. Its payout record gets a ``PAID_AFTER_ABORT_<code>`` reason and the
transfer's timeline a RECONCILE step (which the receiving FSP sees: its view, events and webhooks). Whoever
notices first flags it: the commit's own verdict, the block watcher, or reconciliation (after a restart too);
the payout book flags each payout once (``PayoutStore.flag_unpaid``), so the others change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from inzira.ledger.codes import Code
from inzira.ledger.records import EXPIRED, VOIDED
from inzira.node.node import Node
from inzira.remit.payout.types import PayoutStatus
from inzira.remit.store.payouts import PayoutStore

PREFIX = "PAID_AFTER_ABORT"

log = logging.getLogger(__name__)
Note = Callable[[str, str, str, int, bytes], None]  # (transfer id, step, detail, code, tx id)


class UnpaidPayouts:
    def __init__(self, payouts: PayoutStore, node: Node, note: Note, clock_ms: Callable[[], int]) -> None:
        self.payouts = payouts
        self.node = node
        self.note = note
        self.clock_ms = clock_ms

    def ended(self, pending_id: bytes, transfer_id: str) -> bool:
        """Ask the chain about a reservation whose payout may be made and not committed: flag it if the
        reservation ended EXPIRED or VOIDED. ``transfer_id`` is "" for another deployment's transfer (its record
        lives there)."""
        payout = self.payouts.get(pending_id)  # first: most reservations the chain ends were paid by nobody here
        if payout is None or payout.status != PayoutStatus.SUCCESSFUL or payout.reason or payout.resolve_tx_id:
            return False
        pending = self.node.pending(pending_id)
        if pending is None or pending.status not in (EXPIRED, VOIDED):
            return False
        code = Code.TRANSFER_EXPIRED if pending.status == EXPIRED else Code.ALREADY_RESOLVED
        ending = "expired" if pending.status == EXPIRED else "was voided"
        return self.flag(pending_id, transfer_id, f"{PREFIX}_{code}",
                         f"paid out, but the transfer {ending} before the commit landed", code,
                         pending.resolved_by_tx)

    def flag(self, pending_id: bytes, transfer_id: str, reason: str, detail: str, code: int = 0,
             tx_id: bytes = b"") -> bool:
        """Flag a payout made that cannot be committed any more (``reason``), unless it is flagged already."""
        flagged = self.payouts.flag_unpaid(pending_id, reason, self.clock_ms())
        if flagged is None:
            return False
        log.error("%s paid %s %d minor into %s and was not paid (%s): recover it off-ledger", flagged.fsp,
                  flagged.currency, flagged.amount_minor, flagged.reference_id, reason)
        self.note(transfer_id, "RECONCILE", f"{detail}: flagged for reconciliation", code, tx_id)
        return True
