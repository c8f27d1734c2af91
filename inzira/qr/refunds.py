"""Refunds: started by the merchant through its acquirer, full or partial, never more than was paid (all
refunds of a payment together), back to the visitor's wallet in its currency, on chain.

The FX choice: a refund is a new exchange at the day's rate, as a card refund is. The merchant gives back an
amount in RWF; the FX provider quotes it afresh (RWF -> the wallet's currency, less its spread) and one
transfer, signed by the acquirer and carrying that quote, moves

    merchant account (RWF)        -> FX provider's RWF account
    FX provider's CNY account     -> wallet account (CNY)

So a full refund gives the visitor back the full RWF price converted today: a little less than was paid
when the rate has not moved (the spread applies both ways), more or less when it has. Refunding the
original CNY amount instead would leave the FX provider or the merchant carrying the rate risk of every
refund, and no quote the provider signs today can promise yesterday's rate. The cap is on the RWF side,
what the merchant received, which is what the merchant controls.

Over-refund is impossible under concurrency: a store job reserves the amount against the payment
(refunded + reserved + this <= paid) in the same transaction that stores the refund; a refused transfer
releases its reservation.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from inzira.fx.client import FxClient
from inzira.http import HttpProblem
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.ordering.outcome import Outcome
from inzira.qr import tokens
from inzira.qr.codes import QrCode
from inzira.qr.directory import Directory
from inzira.qr.ledger_port import LedgerPort
from inzira.qr.live.events import REFUND_COMPLETED, Draft, Outbox
from inzira.qr.records import COMPLETED, FAILED, SUBMITTED, Merchant, Refund, insert_sql, values
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.settings import QrSettings
from inzira.qr.settlement import SettleJob, Settlement, committed, mark, settled
from inzira.qr.store.awaiting import write
from inzira.qr.store.reader import StoreReader
from inzira.qr.store.writer import StoreWriter, WriteTx
from inzira.qr.views import is_external, payer_text, refund_view
from inzira.qr.wallets import post_entry
from inzira.shown_text import UNSHOWN_DETAIL, shown_as_is

REASON_CHARS_MAX = 140
_INSERT = insert_sql("refunds", Refund, "raw_tx", "tx_expires_at_ms")


def as_result(refund: Refund) -> Refund | Rejected:
    if refund.status != FAILED:
        return refund
    return rejected(refund.code, "the refund was refused: nothing was moved", refund_id=refund.id,
                    tx_id=refund.tx_id.hex() if refund.height else None, height=refund.height or None)


class Refunds:
    def __init__(self, settings: QrSettings, port: LedgerPort, writer: StoreWriter, reader: StoreReader,
                 directory: Directory, desk: FxClient, settlement: Settlement, outbox: Outbox,
                 fx_account: Callable[[str], str]) -> None:
        self.settings = settings
        self.port = port
        self.writer = writer
        self.reader = reader
        self.directory = directory
        self.desk = desk
        self.settlement = settlement
        self.outbox = outbox
        self.fx_account = fx_account
        self.timeout_s = settings.verdict_timeout_ms / 1000

    async def refund(self, merchant: Merchant, payment_id: str, amount_minor: int | None,
                     reason: str | None) -> Refund | Rejected:
        payment = self.reader.payment(payment_id)
        if payment is None or payment.merchant_id != merchant.id:
            return rejected(QrCode.PAYMENT_NOT_FOUND, f"{merchant.name} has no payment {payment_id}")
        if is_external(payment):
            return rejected(QrCode.REFUND_OUTSIDE_INZIRA, f"payment {payment_id} came from {payer_text(payment)}: "
                            "a refund would be a new FSPIOP transfer to the payer's FSP, which Inzira does not make "
                            "for merchants; settle it with the payer directly")
        if payment.status != COMPLETED:
            return rejected(Code.VALIDATION, f"payment {payment_id} is {payment.status}: only a completed one is "
                            "refunded")
        amount_minor = payment.refundable_minor if amount_minor is None else amount_minor
        if not 0 < amount_minor <= payment.refundable_minor:
            return rejected(QrCode.REFUND_EXCEEDS_PAYMENT, f"{payment.amount_minor} RWF were paid, "
                            f"{payment.refunded_minor} refunded and {payment.refund_reserved_minor} being refunded: "
                            f"at most {max(0, payment.refundable_minor)} RWF can still be refunded",
                            refundable_minor=max(0, payment.refundable_minor))
        if reason is not None and len(reason) > REASON_CHARS_MAX:
            return rejected(Code.VALIDATION, f"a reason is at most {REASON_CHARS_MAX} characters")
        if reason is not None and not shown_as_is(reason):  # the visitor's wallet shows it
            return rejected(Code.VALIDATION, f"the reason {UNSHOWN_DETAIL}")
        wallet = self.directory.wallet(payment.wallet_id)
        if wallet is None:
            return rejected(QrCode.WALLET_NOT_FOUND, "the payment's wallet is gone")
        account = self.port.account_now(merchant.account)
        if account is None or account.available_minor < amount_minor:
            return rejected(Code.INSUFFICIENT_LIQUIDITY, f"{merchant.account} holds less than {amount_minor} RWF")
        price = self.settings.price_currency
        now_ms = self.port.now_ms()
        try:
            firm = await self.desk.quote(merchant.acquirer, price, wallet.currency,
                                         source_amount_minor=amount_minor, ttl_ms=self.settings.quote_ttl_ms)
        except HttpProblem as exc:
            return rejected(exc.code, f"no FX quote for this refund: {exc.detail}")
        refund_id = tokens.record_id("rfd")
        legs = (Leg(merchant.account, self.fx_account(price), amount_minor, price),
                Leg(self.fx_account(wallet.currency), wallet.account, firm.target_amount_minor, wallet.currency))
        memo = f"refund {payment.memo}"
        signed = self.port.sign(merchant.acquirer, Transfer(legs, (firm.signed,), memo), refund_id)
        refund = Refund(refund_id, payment.id, merchant.id, wallet.id, amount_minor, wallet.currency,
                        firm.target_amount_minor, str(firm.rate), reason, signed.tx_id, SUBMITTED, 0, 0, now_ms, None)

        def reserve(tx: WriteTx) -> "Future[Refund] | Rejected":
            cursor = tx.execute("UPDATE payments SET refund_reserved_minor = refund_reserved_minor + ? WHERE id = ? "
                                "AND status = ? AND amount_minor - refunded_minor - refund_reserved_minor >= ?",
                                (amount_minor, payment.id, COMPLETED, amount_minor))
            if cursor.rowcount != 1:
                return rejected(QrCode.REFUND_EXCEEDS_PAYMENT, "other refunds of this payment took what was left")
            tx.execute(_INSERT, (*values(refund), signed.raw, signed.expires_at_ms))
            return self.settlement.launch_on_commit(tx, signed, self.settle_refund(refund_id))

        launched = await write(self.writer, reserve, self.timeout_s)
        if isinstance(launched, Rejected):
            return launched
        done = await settled(launched, self.timeout_s, refund_id=refund_id)
        return done if isinstance(done, Rejected) else as_result(done)

    def settle_refund(self, refund_id: str) -> SettleJob[Refund]:
        def settle(tx: WriteTx, outcome: Outcome) -> Refund:
            now_ms = self.port.now_ms()
            refund, changed = mark(tx, "refunds", Refund, refund_id, outcome, now_ms)
            if not changed:
                return refund
            if not committed(outcome):
                tx.execute("UPDATE payments SET refund_reserved_minor = refund_reserved_minor - ? WHERE id = ?",
                           (refund.amount_minor, refund.payment_id))
                return refund
            bill_id = tx.execute("UPDATE payments SET refunded_minor = refunded_minor + ?, "
                                 "refund_reserved_minor = refund_reserved_minor - ? WHERE id = ? RETURNING bill_id",
                                 (refund.amount_minor, refund.amount_minor, refund.payment_id)).fetchone()[0]
            merchant = self.directory.merchant(refund.merchant_id)
            name = "" if merchant is None else merchant.name
            post_entry(tx, refund.wallet_id, refund.wallet_amount_minor, "refund", refund_id, name,
                       refund.amount_minor, refund.tx_id, now_ms)
            self.outbox.record(tx, now_ms,
                               Draft(REFUND_COMPLETED, refund_view(refund, for_wallet=False),
                                     merchant_id=refund.merchant_id, bill_id=bill_id,
                                     acquirer=None if merchant is None else merchant.acquirer),
                               Draft(REFUND_COMPLETED, {**refund_view(refund, for_wallet=True), "merchant_name": name},
                                     wallet_id=refund.wallet_id))
            return refund

        return settle
