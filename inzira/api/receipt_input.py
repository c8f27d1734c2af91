"""A receipt from outside (an upload, a request body, a file), checked before the verifier reads it.

The ledger's verifier hashes the receipt's numbers as they come; a number beyond 64 bits (``result.code`` =
2**70) cannot be encoded and would escape as an error nobody named. Every number of a receipt is range-checked
here first, and any other failure of a hostile shape becomes a ``ReceiptError`` too: a receipt from outside
is only ever valid or not valid.
"""

from __future__ import annotations

from typing import Any

from inzira.api.numbers import INT64_MAX, bounded
from inzira.ledger.genesis import Genesis
from inzira.ledger.receipt import ReceiptError, verify_receipt
from inzira.ledger.records import Member

# Where a receipt holds a number, and its range (result.at is -1 when no element of the transaction broke a rule).
RECEIPT_NUMBERS: tuple[tuple[tuple[str, str], int, int], ...] = (
    (("result", "code"), 0, INT64_MAX),
    (("result", "at"), -1, INT64_MAX),
    (("block", "height"), 1, INT64_MAX),
    (("block", "timestamp_ms"), 0, INT64_MAX),
    (("proof", "leaf_index"), 0, INT64_MAX),
)


# The format of a remittance's receipt (inzira.remit.receipts builds it): it holds ledger receipts, each verified
# on its own.
REMITTANCE_RECEIPT_FORMAT = "inzira-remittance-receipt/1"


class ReceiptNumberError(ReceiptError):
    """A number of the receipt is outside the range any real receipt holds."""


def check_receipt_numbers(receipt: dict[str, Any]) -> None:
    """Raise ReceiptNumberError naming the first integer out of its range (other shapes: the verifier's)."""
    for (section, name), low, high in RECEIPT_NUMBERS:
        part = receipt.get(section)
        value = part.get(name) if isinstance(part, dict) else None
        if type(value) is int and bounded(value, low, high) is None:
            raise ReceiptNumberError(f"{section}.{name} must be an integer from {low} to {high}")


def verify_outside_receipt(receipt: object, genesis: Genesis, members: list[Member] | None = None) -> dict[str, Any]:
    """``verify_receipt`` for a receipt nobody vouches for: its summary, or ReceiptError saying why not."""
    if not isinstance(receipt, dict):
        raise ReceiptError("a receipt is a JSON object")
    if receipt.get("format") == REMITTANCE_RECEIPT_FORMAT:
        raise ReceiptError("this is a remittance receipt: verify each receipt of its ledger_receipts "
                           "(inzira remit verify-receipt FILE verifies them all)")
    check_receipt_numbers(receipt)
    try:
        return verify_receipt(receipt, genesis, members)
    except ReceiptError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:  # hostile shapes the verifier did not name
        raise ReceiptError(f"malformed receipt: {exc}") from exc
