"""A receipt from outside (an upload, a request body, a file), checked before the verifier reads it.

The ledger's verifier hashes the receipt's numbers as they come; a number beyond 64 bits (``result.code`` =
2**70) cannot be encoded and would escape as an error nobody named. Every number of a receipt is checked here
first (a JSON integer in its range: not ``"5"``, ``1.5``, ``true`` or ``null``, as ``inzira.api.numbers`` reads
any body's number), and any other failure of a hostile shape becomes a ``ReceiptError`` too: a receipt from
outside is only ever valid or not valid.

Bytes that are not a receipt at all (not strict JSON: NaN, Infinity, not UTF-8, nested past the decoder's
depth, a number past any range; not an object; a receipt number as above) raise ``MalformedReceipt``: the
public verifiers (``POST /v1/receipts/verify``, ``POST /explorer/verify-receipt``) both answer it with the same
400 problem (3100) through ``verify_posted_receipt``, and give a verdict only for a receipt that does not verify.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool

from inzira.api.numbers import INT64_MAX, bounded
from inzira.api.problems import Problem
from inzira.decoding import decode_json
from inzira.ledger.codes import Code
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


class MalformedReceipt(ReceiptError):
    """Not a receipt at all: the fault of whoever sent it (a 400 problem where a request brought it)."""


class ReceiptNumberError(MalformedReceipt):
    """A number of the receipt is not an integer in the range any real receipt holds."""


def check_receipt_numbers(receipt: dict[str, Any]) -> None:
    """Raise ReceiptNumberError naming the first number present that is not an integer in its range (a missing
    one, and every other shape: the verifier's)."""
    for (section, name), low, high in RECEIPT_NUMBERS:
        part = receipt.get(section)
        if isinstance(part, dict) and name in part and bounded(part[name], low, high) is None:
            raise ReceiptNumberError(f"{section}.{name} must be an integer from {low} to {high}")


def read_receipt(data: bytes) -> dict[str, Any]:
    """The receipt ``data`` holds, numbers checked; MalformedReceipt if it is not one."""
    if not data.strip():
        raise MalformedReceipt("send the receipt as the request body: a JSON object")
    try:
        receipt = decode_json(data)
    except msgspec.DecodeError as exc:  # strict JSON: NaN, Infinity, 1e400 and 5,000 digits are refused here
        raise MalformedReceipt(f"the receipt is not JSON: {exc}") from None
    if not isinstance(receipt, dict):
        raise MalformedReceipt("a receipt is a JSON object")
    check_receipt_numbers(receipt)
    return receipt


def verify_receipt_bytes(data: bytes, genesis: Genesis, members: list[Member] | None = None) -> dict[str, Any]:
    """``verify_outside_receipt`` of the receipt ``data`` holds (MalformedReceipt if it holds none)."""
    return verify_outside_receipt(read_receipt(data), genesis, members)


async def verify_posted_receipt(data: bytes, genesis: Genesis, members: list[Member]) -> dict[str, Any]:
    """The one check of both public verifiers: the summary; ReceiptError for a receipt that does not verify;
    a 400 Problem for a body that is not a receipt. In the thread pool: a crafted receipt's signature checks
    take milliseconds, which on the event loop would hold up every other request."""
    try:
        return await run_in_threadpool(verify_receipt_bytes, data, genesis, members)
    except MalformedReceipt as exc:
        raise Problem(400, Code.VALIDATION, str(exc)) from None


def verify_outside_receipt(receipt: object, genesis: Genesis, members: list[Member] | None = None) -> dict[str, Any]:
    """``verify_receipt`` for a receipt nobody vouches for: its summary, or ReceiptError saying why not."""
    if not isinstance(receipt, dict):
        raise MalformedReceipt("a receipt is a JSON object")
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
