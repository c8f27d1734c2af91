"""Payments that reach a merchant from outside Inzira: an eKash customer paying through the Mojaloop gateway.

The money has already moved on chain (the gateway's hashlocked transfer to the merchant's account, posted with
the fulfilment); this records it as one of the merchant's payments, so the POS, its live feed, the statement and
the acquirer's webhook show it like any other. Nothing is taken on the gateway's word: the pending transfer must
be posted on the ledger and credit exactly this merchant's account with exactly this amount, or nothing is
recorded. Recording is idempotent by the Mojaloop transfer id (the payment's ``quote_id`` is ``fspiop:<id>``).

Such a payment has no Inzira wallet: its ``wallet_id`` is ``fspiop:<payer FSP>/<masked payer id>``, what the
merchant sees of the payer. It is not refunded through Inzira (3161): giving the money back is a new transfer
from Inzira to the payer's FSP over FSPIOP, which the gateway does not make for merchants.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from inzira.ledger.records import POSTED, Leg
from inzira.qr import tokens
from inzira.qr.directory import Directory
from inzira.qr.ledger_port import LedgerPort
from inzira.qr.live.events import PAYMENT_COMPLETED, Draft, Outbox
from inzira.qr.records import COMPLETED, Payment, insert_sql, values
from inzira.qr.store.writer import StoreWriter, WriteTx
from inzira.qr.views import EXTERNAL_PREFIX, payment_view

FSP_ID_CHARS_MAX = 32  # FSPIOP's FspId
PAYER_ID_CHARS_MAX = 128  # FSPIOP's PartyIdentifier
SHOWN_DIGITS = 3
_INSERT = (insert_sql("payments", Payment, "raw_tx", "tx_expires_at_ms")
           + " ON CONFLICT DO NOTHING RETURNING id")  # same transfer id, or same commit


class NotRecorded(ValueError):
    """The ledger does not show what the gateway says was paid: nothing is recorded."""


@dataclass(frozen=True, slots=True)
class IncomingPayment:
    transfer_id: str  # the Mojaloop transfer id
    payer_fsp: str
    payer_id: str  # the payer's identifier as the payer FSP gave it: masked before it is stored
    merchant_id: str
    amount_minor: int
    currency: str
    pending_id: bytes  # the gateway's hashlocked transfer on Inzira


def mask_id(payer_id: str) -> str:
    # Never a "/": it ends the payer FSP's id (which may hold one) in the payment's wallet_id.
    shown = payer_id[-SHOWN_DIGITS:].replace("/", "*") if len(payer_id) > SHOWN_DIGITS else ""
    return "*" * (len(payer_id) - len(shown)) + shown


class ExternalPayments:
    def __init__(self, port: LedgerPort, writer: StoreWriter, directory: Directory, outbox: Outbox,
                 price_currency: str) -> None:
        self.port = port
        self.writer = writer
        self.directory = directory
        self.outbox = outbox
        self.price_currency = price_currency

    def record(self, incoming: IncomingPayment) -> "Future[str | None]":
        """Record a payment the ledger shows posted: the future holds its id (None: recorded before).
        Raises NotRecorded when the ledger does not show it."""
        merchant = self.directory.merchant(incoming.merchant_id)
        if merchant is None:
            raise NotRecorded(f"no merchant {incoming.merchant_id}")
        if not (0 < len(incoming.payer_fsp) <= FSP_ID_CHARS_MAX and 0 < len(incoming.payer_id) <= PAYER_ID_CHARS_MAX):
            raise NotRecorded("the payer FSP or payer id is not an FSPIOP one")
        pending = self.port.node.pending(incoming.pending_id)
        expected = (Leg(pending.legs[0].debit, merchant.account, incoming.amount_minor, self.price_currency),) \
            if pending is not None and pending.legs else ()
        if pending is None or pending.status != POSTED or not pending.resolved_by_tx \
                or incoming.currency != self.price_currency or pending.legs != expected:
            raise NotRecorded(f"transfer {incoming.transfer_id}: the ledger shows no posted "
                              f"{incoming.amount_minor} {incoming.currency} to {merchant.account}")
        location = self.port.node.store.tx_location(pending.resolved_by_tx)
        now_ms = self.port.now_ms()
        payer = f"{EXTERNAL_PREFIX}{incoming.payer_fsp}/{mask_id(incoming.payer_id)}"
        payment = Payment(tokens.record_id("pay"), f"{EXTERNAL_PREFIX}{incoming.transfer_id}", payer, merchant.id,
                          None, None, incoming.amount_minor, incoming.currency, incoming.amount_minor, "1", "1", "0", 0,
                          f"FSPIOP transfer {incoming.transfer_id}", pending.resolved_by_tx, COMPLETED, 0,
                          0 if location is None else location.height, now_ms, pending.resolved_at_ms or now_ms, 0, 0)

        def job(tx: WriteTx) -> str | None:
            if tx.execute(_INSERT, (*values(payment), None, 0)).fetchone() is None:
                return None
            self.outbox.record(tx, now_ms, Draft(PAYMENT_COMPLETED, payment_view(payment, merchant.name,
                                                                                  for_wallet=False),
                                                 merchant_id=merchant.id, acquirer=merchant.acquirer))
            return payment.id

        return self.writer.submit(job)
