"""Quoting a payment: read the scanned QR, price it (the bill's amount, or what the visitor entered), and
ask the FX provider's quote service for a firm quote from the wallet's currency to RWF (checked on arrival).

A dynamic QR that is paid or expired is refused here already, and no quote outlives its bill. The FX provider
allows the wallet's issuer so many quotes, for all its wallets together; each wallet has its own allowance here
(3041, 429), so one visitor cannot use up the issuer's. Should the issuer's run out all the same, the visitor is
told the service is busy (2005, 503), with the FX provider's Retry-After.
"""

from __future__ import annotations

from inzira.api.codes import ApiCode
from inzira.api.numbers import parse_digits
from inzira.buckets import Buckets
from inzira.fx.client import FxClient
from inzira.http import HttpProblem
from inzira.ledger.codes import Code
from inzira.qr.codes import QrCode
from inzira.qr.ledger_port import LedgerPort
from inzira.qr.quotes import PaymentQuote, QuoteBook
from inzira.qr.records import EXPIRED, PAID, Wallet
from inzira.qr.rejected import Rejected, rejected
from inzira.qr.scan import Scanned, Scanner
from inzira.qr.settings import QrSettings

MINUTE_MS = 60_000


class Quoter:
    def __init__(self, settings: QrSettings, port: LedgerPort, scanner: Scanner, desk: FxClient,
                 quotes: QuoteBook) -> None:
        self.settings = settings
        self.port = port
        self.scanner = scanner
        self.desk = desk
        self.quotes = quotes
        self.allowance = Buckets(port.now_ms, MINUTE_MS, settings.wallet_quote_buckets_max)

    async def quote(self, wallet: Wallet, payload: str, amount_minor: int | None,
              ttl_ms: int | None) -> tuple[PaymentQuote, Scanned] | Rejected:
        s = self.settings
        wait_s = self.allowance.take(wallet.id, s.wallet_quotes_per_minute, s.wallet_quotes_burst)
        if wait_s:
            return rejected(ApiCode.RATE_LIMITED, f"a wallet may ask for {s.wallet_quotes_per_minute} quotes a "
                            f"minute, {s.wallet_quotes_burst} at once: retry in {wait_s} s", retry_after_s=wait_s)
        ttl_ms = s.quote_ttl_ms if ttl_ms is None else ttl_ms
        if not s.quote_ttl_ms_min <= ttl_ms <= s.quote_ttl_ms_max:
            return rejected(Code.VALIDATION, f"a quote lives {s.quote_ttl_ms_min} to {s.quote_ttl_ms_max} ms")
        scanned = self.scanner.scan(payload)
        if isinstance(scanned, Rejected):
            return scanned
        now_ms = self.port.now_ms()
        bill = scanned.bill
        if bill is not None:
            state = bill.state(now_ms)
            if state == PAID:
                return rejected(QrCode.BILL_ALREADY_PAID, f"bill {bill.bill_number} is already paid")
            if state == EXPIRED:
                return rejected(QrCode.BILL_EXPIRED, f"this QR expired at {bill.expires_at_ms} (ms since 1970)")
            if amount_minor not in (None, bill.amount_minor):
                return rejected(QrCode.AMOUNT_REQUIRED, "this QR's amount is fixed by the merchant's bill")
            price_minor = bill.amount_minor
            ttl_ms = min(ttl_ms, bill.expires_at_ms - now_ms)  # no quote outlives its bill
        elif amount_minor is None:
            return rejected(QrCode.AMOUNT_REQUIRED, "a counter (static) QR: enter the amount in RWF")
        else:
            price_minor = amount_minor
        if not 0 < price_minor <= s.payment_minor_max:
            return rejected(Code.VALIDATION, f"a payment is 1 to {s.payment_minor_max} RWF")
        try:
            firm = await self.desk.quote(wallet.issuer, wallet.currency, s.price_currency,
                                         target_amount_minor=price_minor, ttl_ms=ttl_ms,
                                         expires_by_ms=now_ms + ttl_ms)  # ttl_ms is within the bill's life
        except HttpProblem as exc:
            if exc.code == ApiCode.RATE_LIMITED:  # the issuer's allowance, not this wallet's doing
                wait_s = parse_digits(exc.headers.get("Retry-After", ""), 1, 3_600) or 1
                return rejected(ApiCode.BUSY, f"no quote now: {exc.detail}", retry_after_s=wait_s)
            return rejected(exc.code, f"no quote: {exc.detail}")
        merchant = scanned.merchant
        quote = PaymentQuote(firm.quote_id, wallet.id, merchant.id, merchant.name, None if bill is None else bill.id,
                             None if bill is None else bill.bill_number, price_minor, wallet.currency,
                             firm.source_amount_minor, str(firm.mid_rate), str(firm.rate), str(firm.margin_percent),
                             firm.fx_margin_minor, firm.fx, now_ms, firm.expires_at_ms, firm.signed)
        self.quotes.put(quote, now_ms)
        return quote, scanned
