"""Paying a merchant's QR from a visitor wallet: quote, confirm, one atomic transfer, at most once per bill.

The payment is one posted ``Transfer`` signed by the wallet issuer, with the FX provider's signed quote:

    wallet account (CNY)  -> FX provider's CNY account     (what the visitor pays)
    FX provider's RWF     -> merchant account (RWF)         (the price)

memo = the merchant's reference ("<merchant id>/<bill number>", or the merchant id for a static QR).

At most once per bill: before the transaction is sent, a store job claims the bill (open -> paying) in the
same transaction that stores the payment, so of two concurrent payers exactly one claims it. The other
waits for that payment's verdict: committed, the bill is paid (3154); refused, the bill reopens and the
waiter claims it in turn. A quote pays at most one payment: paying with it again answers that payment.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from inzira.api.codes import ApiCode
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.ordering.outcome import Outcome
from inzira.qr import tokens
from inzira.qr.bill_book import BillBook
from inzira.qr.codes import QrCode
from inzira.qr.directory import Directory
from inzira.qr.ledger_port import LedgerPort, SignedTx, wait_future
from inzira.qr.live.events import PAYMENT_COMPLETED, Draft, Outbox
from inzira.qr.quotes import QuoteBook
from inzira.qr.records import EXPIRED, FAILED, OPEN, PAID, PAYING, SUBMITTED, Payment, Wallet, insert_sql, values
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.settings import QrSettings
from inzira.qr.settlement import SettleJob, Settlement, committed, forward, mark, settled
from inzira.qr.store.reader import StoreReader
from inzira.qr.store.writer import StoreWriter, WriterBusy, WriterStopped, WriteTx
from inzira.qr.views import payment_view
from inzira.qr.wallets import post_entry

CLAIM_ATTEMPTS = 3
# The store keeps one payment per quote: a second insert with the same quote adds nothing.
_INSERT = (insert_sql("payments", Payment, "raw_tx", "tx_expires_at_ms")
           + " ON CONFLICT (quote_id) DO NOTHING RETURNING id")


@dataclass(frozen=True, slots=True)
class Claim:
    state: str  # claimed, replay (the quote already paid), paid, paying, expired
    payment_id: str | None = None


def as_result(payment: Payment) -> Payment | Rejected:
    """A payment the ledger refused is answered as the refusal, with where it lies in the chain."""
    if payment.status != FAILED:
        return payment
    return rejected(payment.code, "the payment was refused: nothing was moved", payment_id=payment.id,
                    tx_id=payment.tx_id.hex() if payment.height else None, height=payment.height or None)


class Payments:
    def __init__(self, settings: QrSettings, port: LedgerPort, writer: StoreWriter, reader: StoreReader,
                 directory: Directory, bills: BillBook, quotes: QuoteBook, settlement: Settlement,
                 outbox: Outbox) -> None:
        self.settings = settings
        self.port = port
        self.writer = writer
        self.reader = reader
        self.directory = directory
        self.bills = bills
        self.quotes = quotes
        self.settlement = settlement
        self.outbox = outbox
        self.timeout_s = settings.verdict_timeout_ms / 1000
        self._in_flight: dict[str, Future[Payment]] = {}  # payment id -> its settlement, while on its way

    def fx_account(self, currency: str) -> str:
        return self.settings.fx_account_pattern.format(member=self.settings.fx_provider, currency=currency.lower())

    async def pay(self, wallet: Wallet, quote_id: str) -> Payment | Rejected:
        quote = self.quotes.get(quote_id)
        if quote is None:  # forgotten (expired long ago, or before a restart): its payment may be stored
            previous = self.reader.payment_by_quote(quote_id)
            if previous is not None and previous.wallet_id == wallet.id:
                return await self._replay(previous.id)
            return rejected(QrCode.QUOTE_NOT_FOUND, "no such quote for this wallet: ask for a new one")
        if quote.wallet_id != wallet.id:
            return rejected(QrCode.QUOTE_NOT_FOUND, "no such quote for this wallet: ask for a new one")
        used_by = self.quotes.used_by(quote_id)
        if used_by is not None:
            return await self._replay(used_by)
        now_ms = self.port.now_ms()
        if now_ms >= quote.expires_at_ms:
            return rejected(Code.QUOTE_EXPIRED, "the quote expired: ask for a new one", quote_id=quote_id,
                            expires_at_ms=quote.expires_at_ms)
        account = self.port.account_now(wallet.account)
        available_minor = 0 if account is None else account.available_minor
        if available_minor < quote.wallet_amount_minor:
            return rejected(Code.INSUFFICIENT_LIQUIDITY, f"the wallet holds {available_minor} and the payment needs "
                            f"{quote.wallet_amount_minor} minor units of {wallet.currency}: nothing was moved")
        merchant = self.directory.merchant(quote.merchant_id)
        if merchant is None:
            return rejected(QrCode.MERCHANT_NOT_FOUND, "the quote's merchant is gone")
        payment_id = tokens.record_id("pay")
        memo = merchant.id if quote.bill_number is None else f"{merchant.id}/{quote.bill_number}"
        legs = (Leg(wallet.account, self.fx_account(wallet.currency), quote.wallet_amount_minor, wallet.currency),
                Leg(self.fx_account(self.settings.price_currency), merchant.account, quote.amount_minor,
                    self.settings.price_currency))
        signed = self.port.sign(wallet.issuer, Transfer(legs, (quote.signed,), memo), payment_id)
        payment = Payment(payment_id, quote_id, wallet.id, merchant.id, quote.bill_id, quote.bill_number,
                          quote.amount_minor, wallet.currency, quote.wallet_amount_minor, quote.rate, quote.mid_rate,
                          quote.margin_percent, quote.fx_margin_minor, memo, signed.tx_id, SUBMITTED, 0, 0, now_ms,
                          None, 0, 0)
        for _ in range(CLAIM_ATTEMPTS):
            try:
                answer = self._start(payment, signed)
            except WriterBusy:
                return rejected(ApiCode.BUSY, "the service is busy: retry shortly")
            except WriterStopped as exc:
                return rejected(ApiCode.UNAVAILABLE, f"the service's store is not writable: {exc}")
            done = await settled(answer, self.timeout_s, payment_id=payment_id)
            if not isinstance(done, Claim):
                return done if isinstance(done, Rejected) else as_result(done)
            if done.state == "replay":  # the same quote, paid by a concurrent request: one payment for both
                return await self._replay(done.payment_id or "")
            if done.state == PAID:
                return rejected(QrCode.BILL_ALREADY_PAID, f"bill {quote.bill_number} is already paid")
            if done.state == EXPIRED:
                return rejected(QrCode.BILL_EXPIRED, f"this QR expired: bill {quote.bill_number}")
            # Another payment holds the bill: wait for its verdict, then claim again (it may have settled
            # already, between the claim and here: then the next claim sees the outcome).
            other = self._in_flight.get(done.payment_id or "")
            if other is not None and not await self._waited(other):
                break
        return rejected(QrCode.PAYMENT_IN_PROGRESS, f"another payment of bill {quote.bill_number} is on its way: "
                        "ask again in a moment")

    async def _waited(self, other: "Future[Payment]") -> bool:
        """Wait for another payment's verdict; False if it did not come in time."""
        try:
            return await wait_future(other, self.settings.busy_wait_ms / 1000) is not None
        except Exception:  # its failure is its own payer's to hear: here only "decided or not" matters
            return True

    async def _replay(self, payment_id: str) -> Payment | Rejected:
        """The answer already given to this quote's payment (waiting for it if it is still on its way)."""
        other = self._in_flight.get(payment_id)
        if other is not None:
            await self._waited(other)
        payment = self.reader.payment(payment_id)
        if payment is None:
            return rejected(QrCode.PAYMENT_NOT_FOUND, f"no payment {payment_id}")
        if payment.status == SUBMITTED:
            return rejected(QrCode.PAYMENT_IN_PROGRESS, "this payment is still on its way", payment_id=payment_id)
        return as_result(payment)

    def _start(self, payment: Payment, signed: SignedTx) -> "Future[Payment | Claim]":
        """Claim (store the payment, and its bill if any) and, once claimed, send it. The future holds the
        settled payment, or the claim that was refused: one wake-up for the request either way."""
        answer: Future[Payment | Claim] = Future()

        def job(tx: WriteTx) -> Claim:
            if tx.execute(_INSERT, (*values(payment), signed.raw, signed.expires_at_ms)).fetchone() is None:
                paid = tx.execute("SELECT id FROM payments WHERE quote_id = ?", (payment.quote_id,)).fetchone()
                return Claim("replay", paid[0])  # the same quote, paid by a concurrent request
            bill_id = payment.bill_id
            if bill_id is not None:
                claimed = tx.execute("UPDATE bills SET status = ?, payment_id = ? WHERE id = ? AND status = ? "
                                     "AND expires_at_ms > ? RETURNING id",
                                     (PAYING, payment.id, bill_id, OPEN, self.port.now_ms())).fetchone()
                if claimed is None:  # not this payment's to take: forget it again
                    tx.execute("DELETE FROM payments WHERE id = ?", (payment.id,))
                    # No row: expired unpaid long ago and deleted since (inzira.qr.upkeep).
                    status, holder = tx.execute("SELECT status, payment_id FROM bills WHERE id = ?",
                                                (bill_id,)).fetchone() or (EXPIRED, None)
                    return Claim(status if status in (PAID, PAYING) else EXPIRED, holder)
                tx.after_commit(lambda: self.bills.changed(bill_id, PAYING, payment.id))
            tx.after_commit(lambda: self.quotes.used(payment.quote_id, payment.id))
            future = self.settlement.launch_on_commit(tx, signed, self.settle_payment(payment.id))
            self.track(payment.id, future)
            future.add_done_callback(lambda f: forward(f, answer))
            return Claim("claimed", payment.id)

        def claimed(f: "Future[Claim]") -> None:
            if f.exception() is not None or f.result().state != "claimed":
                forward(f, answer)

        self.writer.submit(job).add_done_callback(claimed)
        return answer

    def track(self, payment_id: str, future: "Future[Payment]") -> None:
        """Let a second payer of the same bill wait for this payment's verdict."""
        self._in_flight[payment_id] = future
        future.add_done_callback(lambda _: self._in_flight.pop(payment_id, None))

    def settle_payment(self, payment_id: str) -> SettleJob[Payment]:
        def settle(tx: WriteTx, outcome: Outcome) -> Payment:
            now_ms = self.port.now_ms()
            payment, changed = mark(tx, "payments", Payment, payment_id, outcome, now_ms)
            if not changed:
                return payment
            ok = committed(outcome)
            bill_id = payment.bill_id
            if bill_id is not None:
                status, holder = (PAID, payment_id) if ok else (OPEN, None)
                tx.execute("UPDATE bills SET status = ?, payment_id = ? WHERE id = ? AND payment_id = ?",
                           (status, holder, bill_id, payment_id))
                tx.after_commit(lambda: self.bills.changed(bill_id, status, holder))
            if ok:
                merchant = self.directory.merchant(payment.merchant_id)
                name = "" if merchant is None else merchant.name
                post_entry(tx, payment.wallet_id, -payment.wallet_amount_minor, "payment", payment_id, name,
                           payment.amount_minor, payment.tx_id, now_ms)
                self.outbox.record(tx, now_ms,
                                   Draft(PAYMENT_COMPLETED, payment_view(payment, name, for_wallet=False),
                                         merchant_id=payment.merchant_id, bill_id=bill_id,
                                         acquirer=None if merchant is None else merchant.acquirer),
                                   Draft(PAYMENT_COMPLETED, payment_view(payment, name, for_wallet=True),
                                         wallet_id=payment.wallet_id))
            return payment

        return settle
