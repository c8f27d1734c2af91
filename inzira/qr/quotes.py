"""Payment quotes: the price in RWF, what the wallet pays in its currency, the FX margin, and until when.

A quote is the FX provider's signed firm quote (``inzira.fx.desk``) plus what it is for (wallet, merchant,
bill). It waits here, in memory, for the visitor to confirm; the signed quote then travels inside the
payment transaction, where the ledger checks it again (amounts, expiry against the block time, used once).
Quotes are ephemeral: a restart forgets them and the wallet simply asks again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from inzira.ledger.tx import SignedQuote
from inzira.money import money_text
from inzira.qr.views import wallet_path

FORGET_AFTER_EXPIRY_MS = 60_000  # an expired quote still answers "expired" rather than "unknown" a while


@dataclass(frozen=True, slots=True)
class PaymentQuote:
    quote_id: str
    wallet_id: str
    merchant_id: str
    merchant_name: str
    bill_id: str | None
    bill_number: str | None
    amount_minor: int  # the price, RWF
    wallet_currency: str
    wallet_amount_minor: int
    mid_rate: str  # RWF per unit of the wallet currency, mid-market
    rate: str  # RWF per unit given to the visitor (the mid rate less the FX provider's spread)
    margin_percent: str
    fx_margin_minor: int  # what the spread costs the visitor, wallet currency
    fx_provider: str
    created_at_ms: int
    expires_at_ms: int
    signed: SignedQuote

    @property
    def kind(self) -> str:
        return "static" if self.bill_id is None else "dynamic"


class QuoteBook:
    def __init__(self, quotes_max: int) -> None:
        self.quotes_max = quotes_max
        self._quotes: OrderedDict[str, PaymentQuote] = OrderedDict()
        self._used: dict[str, str] = {}  # quote id -> the payment that used it, while the quote is kept
        self._lock = threading.Lock()

    def put(self, quote: PaymentQuote, now_ms: int) -> None:
        with self._lock:
            self._quotes[quote.quote_id] = quote
            # Oldest first: drop the long-expired, then, if still over the limit, the oldest.
            while self._quotes:
                oldest = next(iter(self._quotes.values()))
                stale = oldest.expires_at_ms + FORGET_AFTER_EXPIRY_MS <= now_ms
                if not stale and len(self._quotes) <= self.quotes_max:
                    break
                dropped, _ = self._quotes.popitem(last=False)
                self._used.pop(dropped, None)

    def get(self, quote_id: str) -> PaymentQuote | None:
        with self._lock:
            return self._quotes.get(quote_id)

    def used(self, quote_id: str, payment_id: str) -> None:
        """After the commit of the payment that used the quote."""
        with self._lock:
            if quote_id in self._quotes:
                self._used[quote_id] = payment_id

    def used_by(self, quote_id: str) -> str | None:
        with self._lock:
            return self._used.get(quote_id)

    def __len__(self) -> int:
        return len(self._quotes)


def quote_view(q: PaymentQuote, scan: dict[str, Any]) -> dict[str, Any]:
    return {
        "quote_id": q.quote_id,
        "wallet_id": q.wallet_id,
        "kind": q.kind,
        "merchant": scan["merchant"],
        "bill": scan["bill"],
        "amount_minor": q.amount_minor,
        "currency": "RWF",
        "amount": money_text(q.amount_minor, "RWF"),
        "wallet_currency": q.wallet_currency,
        "wallet_amount_minor": q.wallet_amount_minor,
        "wallet_amount": money_text(q.wallet_amount_minor, q.wallet_currency),
        "mid_rate": q.mid_rate,
        "rate": q.rate,
        "margin_percent": q.margin_percent,
        "fx_margin_minor": q.fx_margin_minor,
        "fx_margin": money_text(q.fx_margin_minor, q.wallet_currency),
        "fx_provider": q.fx_provider,
        "created_at_ms": q.created_at_ms,
        "expires_at_ms": q.expires_at_ms,
        "pay_url": f"{wallet_path(q.wallet_id)}/payments",
    }
