"""What a payer FSP's transfer must agree on with its quote before Inzira reserves anything.

The transfer names its quote only through the condition. Each check that fails raises the ``FspiopError`` the
payer FSP is told (``PUT /transfers/{ID}/error``), and no reservation is made. Kept apart from
``payee_transfers``, which moves the money once these checks pass.
"""

from __future__ import annotations

from typing import Any

from inzira.interop.mojaloop.errors import ErrorCode, FspiopError
from inzira.interop.mojaloop.payee import Payee
from inzira.interop.mojaloop.store import QuoteRecord, Store, TransferRecord

COMMIT_MARGIN_MS = 1_000  # a transfer with less time left than this is refused: the commit could come too late


def quote_named(store: Store, record: TransferRecord, body: dict[str, Any], fsp_id: str) -> QuoteRecord:
    """The quote of this FSP's that ``record`` is for: this gateway's, agreed with the same payer FSP."""
    if body["payeeFsp"] != fsp_id:
        raise FspiopError(ErrorCode.DESTINATION_FSP, f"payeeFsp {body['payeeFsp']} is not this FSP")
    quote = store.quote_by_condition(record.condition)
    if quote is None or quote.payer_fsp != record.payer_fsp:
        raise FspiopError(ErrorCode.QUOTE_ID_NOT_FOUND, "no quote of this FSP has this condition")
    return quote


def check_terms(record: TransferRecord, body: dict[str, Any], quote: QuoteRecord, payee: Payee,
                now_ms: int) -> None:
    """``record`` pays exactly ``quote``, in time, and ``quote`` is not paid by another transfer already."""
    if body["ilpPacket"] != quote.ilp_packet:
        raise FspiopError(ErrorCode.VALIDATION, "/ilpPacket differs from the quote's")
    if payee.fulfilment_of(quote.ilp_packet) is None:  # a reservation it could never commit
        raise not_fulfillable(quote.quote_id)
    if (record.amount_minor, record.currency) != (quote.amount_minor, quote.currency):
        raise FspiopError(ErrorCode.VALIDATION, "/amount differs from the quote's transferAmount")
    if record.expires_at_ms == 0:
        raise FspiopError(ErrorCode.VALIDATION, "/expiration is not a date-time")
    if now_ms >= quote.expires_at_ms:
        raise FspiopError(ErrorCode.QUOTE_EXPIRED, f"quote {quote.quote_id} expired at {quote.expiration}")
    if record.expires_at_ms - now_ms < COMMIT_MARGIN_MS:
        raise FspiopError(ErrorCode.TRANSFER_EXPIRED, "the transfer expires before it could be committed")
    if quote.transfer_id and quote.transfer_id != record.transfer_id:
        raise FspiopError(ErrorCode.PAYEE_FSP_REJECTED_TRANSACTION,
                          f"quote {quote.quote_id} is already paid by transfer {quote.transfer_id}")


def not_fulfillable(quote_id: str) -> FspiopError:
    """A kept packet the gateway's key does not open: a quote agreed before the fulfilment was bound to it."""
    return FspiopError(ErrorCode.PAYEE_FSP_REJECTED_TRANSACTION,
                       f"quote {quote_id}: not a packet this gateway can fulfil")
