"""The customer's receipt: the ledger receipts of the transfer's transactions, wrapped with its summary.

Each ledger receipt (format inzira-receipt/1) proves offline, with nothing but the network's genesis, that
its transaction is in a signed block with its verdict: the reservation (the pending hashlocked transfer)
and, once resolved by a transaction, the commit (the fulfilment revealed: the payment is final) or the void.
An expired transfer has no resolving transaction: its reservation's receipt and the state say so.
"""

from __future__ import annotations

from typing import Any

from inzira.api.receipt_input import REMITTANCE_RECEIPT_FORMAT as RECEIPT_FORMAT
from inzira.api.receipt_input import verify_outside_receipt
from inzira.ledger.receipt import ReceiptError
from inzira.ledger.records import STATUS_NAMES
from inzira.node.node import Node
from inzira.remit.disclosure import disclosure
from inzira.remit.records import QuoteTerms, TransferRecord

LEDGER_RECEIPTS_MAX = 4  # the reservation, and its commit or void


def build_receipt(node: Node, record: TransferRecord, terms: QuoteTerms | None, fsp_name: str,
                  transfer_ttl_ms: int) -> dict[str, Any] | None:
    """The receipt, or None while nothing of the transfer is in the chain."""
    if not record.reserve_tx_id:
        return None
    reservation = node.receipt(record.reserve_tx_id)
    if reservation is None:
        return None
    ledger = [{"role": "reservation", "receipt": reservation}]
    pending = node.pending(record.reserve_tx_id)
    resolved_by = pending.resolved_by_tx if pending is not None else b""
    if resolved_by:
        resolution = node.receipt(resolved_by)
        if resolution is not None:
            ledger.append({"role": "commit" if record.state == "COMMITTED" else "void", "receipt": resolution})
    return {
        "format": RECEIPT_FORMAT,
        "network": node.genesis.network,
        "transfer": {
            "transfer_id": record.transfer_id, "state": record.state.value, "code": record.code,
            "reason": record.reason, "sending_fsp": record.sending_fsp, "receiving_fsp": record.receiving_fsp,
            "sender_name": record.sender_name, "created_at_ms": record.created_at_ms,
            "completed_at_ms": record.updated_at_ms if record.state in ("COMMITTED", "ABORTED") else None,
            "pending_id": record.reserve_tx_id.hex(),
            "ledger_status": STATUS_NAMES[pending.status] if pending is not None else None,
        },
        "disclosure": disclosure(terms, fsp_name, transfer_ttl_ms) if terms is not None else None,
        "ledger_receipts": ledger,
        "how_to_verify": "each ledger receipt verifies offline against the network's genesis.json: "
                         "inzira remit verify-receipt FILE, or POST /v1/receipts/verify with one of them",
    }


def verify_remittance_receipt(receipt: object, node_genesis: Any) -> list[dict[str, Any]]:
    """Verify every ledger receipt inside; each summary, or ReceiptError naming what is wrong (a receipt
    without any ledger receipt proves nothing, so it is not valid either)."""
    entries = receipt.get("ledger_receipts") if isinstance(receipt, dict) else None
    if not isinstance(entries, list) or not 0 < len(entries) <= LEDGER_RECEIPTS_MAX:
        raise ReceiptError(f"ledger_receipts must hold 1 to {LEDGER_RECEIPTS_MAX} ledger receipts")
    return [verify_outside_receipt(entry.get("receipt") if isinstance(entry, dict) else None, node_genesis)
            for entry in entries]
