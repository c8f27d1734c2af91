"""The service's facts, as immutable records; each field matches a column of ``qr.db``.

Money is int minor units with its currency beside it. Merchant prices are RWF; a wallet's side of a
payment or refund is in the wallet's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from inzira.qr.emv import AlternateLanguage

# Status of anything sent to the ledger (payment, refund, top-up)
SUBMITTED = "submitted"  # signed and on its way: the ledger has not answered yet
COMPLETED = "completed"  # committed on chain
FAILED = "failed"  # refused before or by the ledger (``code`` says why); nothing moved

# Status of a card top-up at the issuer's acquirer (a ledger credit follows "authorized" only)
OPENING = "opening"  # the card payment is being opened at the acquirer
AWAITING_CARD = "awaiting_card"  # the card form is open
CARD_PENDING = "pending"  # the card was given; the acquirer has not decided
AUTHORIZED = "authorized"  # the acquirer confirmed the payment: the credit (a TopUp of the same id) is sent
DECLINED = "declined"
TIMED_OUT = "timed_out"  # the card's issuer never answered the acquirer
REFUNDED = "refunded"  # authorized, but the ledger refused the credit: the card payment was refunded
# ...and "expired" (the card form closed unpaid) or "failed" (the card payment could not be opened)

# Status of a bill (a dynamic QR) as stored; "expired" is derived from the clock
OPEN = "open"
PAYING = "paying"  # claimed by one payment on its way to the ledger
PAID = "paid"
EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Merchant:
    id: str
    acquirer: str
    name: str
    city: str
    mcc: str
    location: str
    postal_code: str | None
    alt_language: str | None
    alt_name: str | None
    alt_city: str | None
    account: str
    static_payload: str
    token_digest: bytes
    created_at_ms: int

    @property
    def alternate(self) -> AlternateLanguage | None:
        if self.alt_language is None or self.alt_name is None:
            return None
        return AlternateLanguage(self.alt_language, self.alt_name, self.alt_city)


@dataclass(frozen=True, slots=True)
class Bill:
    id: str
    merchant_id: str
    bill_number: str
    amount_minor: int
    currency: str
    payload: str
    terminal_label: str | None
    created_at_ms: int
    expires_at_ms: int
    status: str
    payment_id: str | None

    def state(self, now_ms: int) -> str:
        """open, paying, paid, or expired (an open bill past its deadline)."""
        if self.status == OPEN and now_ms >= self.expires_at_ms:
            return EXPIRED
        return self.status


@dataclass(frozen=True, slots=True)
class Wallet:
    id: str
    issuer: str
    currency: str
    account: str
    holder: str | None  # a display name, off chain only
    token_digest: bytes
    created_at_ms: int


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    quote_id: str
    wallet_id: str
    merchant_id: str
    bill_id: str | None
    bill_number: str | None
    amount_minor: int  # what the merchant is paid, RWF
    wallet_currency: str
    wallet_amount_minor: int  # what the wallet pays
    rate: str  # RWF per unit of the wallet currency given to the visitor (exact decimal)
    mid_rate: str
    margin_percent: str
    fx_margin_minor: int  # what the FX spread costs the visitor, wallet currency
    memo: str
    tx_id: bytes
    status: str
    code: int
    height: int
    created_at_ms: int
    settled_at_ms: int | None
    refunded_minor: int
    refund_reserved_minor: int

    @property
    def refundable_minor(self) -> int:
        return self.amount_minor - self.refunded_minor - self.refund_reserved_minor


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    payment_id: str
    merchant_id: str
    wallet_id: str
    amount_minor: int  # taken back from the merchant, RWF
    wallet_currency: str
    wallet_amount_minor: int  # given back to the wallet
    rate: str  # wallet-currency units per RWF given by the fresh quote
    reason: str | None
    tx_id: bytes
    status: str
    code: int
    height: int
    created_at_ms: int
    settled_at_ms: int | None


@dataclass(frozen=True, slots=True)
class TopUp:
    id: str
    wallet_id: str
    currency: str
    amount_minor: int
    card_reference: str | None
    tx_id: bytes
    status: str
    code: int
    height: int
    created_at_ms: int
    settled_at_ms: int | None


@dataclass(frozen=True, slots=True)
class CardTopUp:
    """A top-up paid by card at the wallet issuer's acquirer. Its ledger credit, a ``TopUp`` of the same id,
    exists only once the acquirer confirmed the payment (status ``authorized``)."""

    id: str
    wallet_id: str
    currency: str
    amount_minor: int
    status: str  # opening, awaiting_card, pending, authorized, declined, timed_out, expired, refunded, failed
    session_id: str | None  # the acquirer's payment session
    payment_id: str | None  # the acquirer's card payment: credited at most once
    card_form_url: str | None
    card_brand: str | None
    card_last4: str | None
    reason: str | None  # why it was declined, timed out, failed or refunded
    expires_at_ms: int  # the card form's deadline
    created_at_ms: int
    updated_at_ms: int


@dataclass(frozen=True, slots=True)
class WalletEntry:
    """One line of a wallet's history: a completed top-up, payment or refund (negative when money left)."""

    seq: int
    wallet_id: str
    kind: str  # topup, payment, refund
    ref_id: str
    amount_minor: int
    balance_after_minor: int
    counterparty: str | None  # the merchant's name for payments and refunds
    price_minor: int | None  # the RWF side of a payment or refund
    tx_id: bytes
    at_ms: int


def columns(record: type) -> str:
    """The SELECT list of a record's table, in field order."""
    return ", ".join(f.name for f in fields(record))


def from_row(record: type, row: Any) -> Any:
    return record(*row)


def insert_sql(table: str, record: type, *extra_columns: str) -> str:
    """INSERT of a record's fields (and any extra columns of its table, such as the signed transaction)."""
    names = [f.name for f in fields(record)] + list(extra_columns)
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"


_getters: dict[type, Any] = {}


def values(item: Any) -> tuple[Any, ...]:
    """A record's field values in order (one attrgetter per record type: this runs for every payment)."""
    getter = _getters.get(type(item))
    if getter is None:
        getter = _getters[type(item)] = attrgetter(*(f.name for f in fields(item)))
    return getter(item)
