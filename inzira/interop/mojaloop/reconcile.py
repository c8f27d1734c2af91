"""Settlement with the hub, payee side: what eKash owes the gateway for a settlement window, and every
transfer of the window matched with its Inzira leg.

eKash settles with its participants per settlement window (times the hub sets). For the window's transfers
the report gives the net the hub owes the gateway (the transfers it committed, per currency: the gateway has
already paid them out of its Inzira position) and lists each transfer whose three records disagree: what the
gateway told the hub, what Inzira's ledger did with the reservation, and what the hub last said.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from inzira.interop.mojaloop.store import ABORTED, COMMITTED, RECEIVED, RESERVED, PAGE_ROWS_MAX, Store


def report(store: Store, ledger_state: Callable[[bytes], str], from_ms: int, to_ms: int) -> dict[str, Any]:
    """The window [from_ms, to_ms): totals and disagreements (the first ``PAGE_ROWS_MAX`` transfers)."""
    transfers = store.received_between(from_ms, to_ms, PAGE_ROWS_MAX + 1)
    page = transfers[:PAGE_ROWS_MAX]
    owed_minor: dict[str, int] = {}
    counts = {RECEIVED: 0, RESERVED: 0, COMMITTED: 0, ABORTED: 0}
    disagreements = []
    for transfer in page:
        counts[transfer.state] = counts.get(transfer.state, 0) + 1
        on_inzira = ledger_state(bytes.fromhex(transfer.pending_id)) if transfer.pending_id else ""
        if transfer.state == COMMITTED and transfer.hub_state != ABORTED:
            owed_minor[transfer.currency] = owed_minor.get(transfer.currency, 0) + transfer.amount_minor
        why = _disagreement(transfer.state, on_inzira, transfer.hub_state) or transfer.reconcile
        if why:
            disagreements.append({"transfer_id": transfer.transfer_id, "gateway": transfer.state,
                                  "inzira": on_inzira or "NONE", "hub": transfer.hub_state or "-",
                                  "amount_minor": transfer.amount_minor, "currency": transfer.currency,
                                  "reason": why})
    return {"from_ms": from_ms, "to_ms": to_ms, "transfers": len(page), "truncated": len(transfers) > len(page),
            "by_state": counts, "hub_owes_minor": owed_minor, "disagreements": disagreements}


def _disagreement(gateway: str, inzira: str, hub: str) -> str:
    if gateway == COMMITTED and inzira != COMMITTED:
        return "the hub was told COMMITTED but Inzira's reservation is not posted"
    if gateway == ABORTED and inzira == COMMITTED:
        return "Inzira posted a transfer the hub was told was aborted"
    if gateway == COMMITTED and hub == ABORTED:
        return "the hub aborted after Inzira committed: recover the payment from the payee"
    if gateway == ABORTED and hub == COMMITTED:
        return "the hub committed a transfer Inzira aborted: pay the payee off-ledger"
    return ""
