"""Response shapes of the QR API, for the OpenAPI document (handlers answer msgspec-encoded JSON; the tests
check answers against these models)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class QrImageLinks(_Answer):
    payload: str = Field(description="The EMVCo payload text (strict-valid)")
    svg_url: str
    png_url: str


class MerchantOut(_Answer):
    merchant_id: str
    acquirer: str
    name: str
    city: str
    mcc: str
    mcc_name: str | None
    location: str
    postal_code: str | None
    alternate: dict[str, Any] | None
    account: str = Field(description="The merchant's RWF account on chain, owned by the acquirer")
    created_at_ms: int
    static_qr: QrImageLinks
    events_url: str
    balance_minor: int | None = Field(None, description="The account's balance on chain (GET only)")


class MerchantCreated(MerchantOut):
    merchant_token: str = Field(description="qrm_<id>.<secret>: the POS page's token, shown once")


class BillOut(_Answer):
    bill_id: str
    merchant_id: str
    bill_number: str
    amount_minor: int
    currency: str
    amount: str
    status: str = Field(description="open, paying, paid or expired")
    payment_id: str | None
    terminal_label: str | None
    created_at_ms: int
    expires_at_ms: int = Field(description="Kept by the service: EMVCo has no expiry tag")
    payload: str
    svg_url: str
    png_url: str
    events_url: str
    payment: dict[str, Any] | None = None


class WalletOut(_Answer):
    wallet_id: str
    issuer: str
    currency: str
    account: str
    holder: str | None
    created_at_ms: int
    events_url: str


class WalletCreated(WalletOut):
    wallet_token: str = Field(description="qrw_<id>.<secret>: the wallet page's token, shown once")


class WalletBalance(WalletOut):
    balance_minor: int = Field(description="On chain")
    available_minor: int
    balance: str
    store_balance_minor: int = Field(description="The service's own running balance from its history")
    in_flight: int = Field(description="Payments, refunds and top-ups waiting for the ledger")
    reconciled: bool = Field(description="Chain and store agree, nothing in flight")


class LedgerFields(_Answer):
    status: str = Field(description="submitted, completed or failed")
    code: int
    description: str
    tx_id: str | None
    height: int | None


class TopUpOut(_Answer):
    topup_id: str
    wallet_id: str
    status: str = Field(description="awaiting_card (the card form is open), pending (the acquirer has not "
                                    "decided), crediting (authorized: the credit is on its way to the ledger), "
                                    "completed (credited on chain), declined, timed_out, expired (the card form "
                                    "closed unpaid), failed (not opened), credit_failed or refunded (the ledger "
                                    "refused the credit: the card payment is refunded)")
    amount_minor: int
    currency: str
    amount: str
    card_form_url: str | None = Field(description="While awaiting_card: the acquirer's card form posts here "
                                                  "(card_number, expiry MM/YY, cvc, name)")
    expires_at_ms: int = Field(description="The card form's deadline")
    payment_id: str | None = Field(description="The acquirer's card payment, once the card was given")
    card: dict[str, Any] | None = Field(description="brand and last4 of the card")
    reason: str | None = Field(description="Why it was declined, timed out, failed or refunded")
    code: int | None = Field(description="The ledger's verdict on the credit (0: committed)")
    description: str | None
    tx_id: str | None = Field(description="The credit's transaction: float -> wallet, signed by the issuer")
    height: int | None
    created_at_ms: int
    updated_at_ms: int
    settled_at_ms: int | None
    check_url: str = Field(description="POST: ask the acquirer now (the wallet page does when the visitor comes "
                                       "back from the card form)")


class HistoryOut(_Answer):
    wallet_id: str
    currency: str
    entries: list[dict[str, Any]] = Field(description="seq, kind (topup, payment, refund), ref_id, amount_minor "
                                                      "(negative for a payment), balance_after_minor, counterparty, "
                                                      "price_minor (RWF), tx_id, at_ms; newest first")
    next_before: int | None = Field(description="Pass as before= for older entries")


class ScanOut(_Answer):
    kind: str = Field(description="static (the visitor enters the amount) or dynamic (a bill)")
    profile: str = Field(description="strict, or lenient for a payload with real-world deviations")
    merchant: dict[str, Any]
    bill: dict[str, Any] | None
    amount_minor: int | None
    currency: str
    amount_required: bool
    emv: dict[str, Any] | None = Field(None, description="With details=true: every field of the payload (as inzira "
                                                        "qr parse --json prints it)")


class QuoteOut(_Answer):
    quote_id: str
    wallet_id: str
    kind: str
    merchant: dict[str, Any]
    bill: dict[str, Any] | None
    amount_minor: int = Field(description="The price, RWF")
    currency: str
    amount: str
    wallet_currency: str
    wallet_amount_minor: int = Field(description="What the wallet pays")
    wallet_amount: str
    mid_rate: str = Field(description="RWF per unit of the wallet currency at the mid-market reference")
    rate: str = Field(description="RWF per unit given to the visitor")
    margin_percent: str
    fx_margin_minor: int = Field(description="What the FX spread costs, in the wallet currency")
    fx_margin: str
    fx_provider: str
    created_at_ms: int
    expires_at_ms: int
    pay_url: str


class PaymentOut(LedgerFields):
    payment_id: str
    merchant_id: str
    merchant_name: str
    bill_id: str | None
    bill_number: str | None
    amount_minor: int
    currency: str
    wallet_currency: str
    wallet_amount_minor: int
    rate: str
    fx_margin_minor: int
    memo: str
    payer: str | None = Field(None, description="A payer outside Inzira (eKash): its FSP and masked id")
    created_at_ms: int
    settled_at_ms: int | None
    refunded_minor: int
    refundable_minor: int
    receipt_url: str
    refunds: list[dict[str, Any]] | None = None


class RefundOut(LedgerFields):
    refund_id: str
    payment_id: str
    amount_minor: int = Field(description="RWF taken back from the merchant")
    wallet_currency: str
    wallet_amount_minor: int = Field(description="Given back to the wallet, at the fresh quote's rate")
    rate: str = Field(description="Wallet-currency units per RWF")
    reason: str | None


class StatementOut(_Answer):
    merchant_id: str
    currency: str
    days: list[dict[str, Any]] = Field(description="date, payments, paid_minor, refunds, refunded_minor, net_minor")
    totals: dict[str, int]
    payments: list[dict[str, Any]] = Field(description="Payment views with refunds; receipt with proofs=true")
    next_cursor: str | None
    refunds: list[dict[str, Any]]


class WebhookOut(_Answer):
    acquirer: str
    url: str | None
    key_id: str = Field(description="kid in the Inzira-Signature header: the acquirer's member id")
    public_key: str = Field(description="Ed25519, hex: the acquirer's key in genesis.json")
