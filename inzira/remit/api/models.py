"""Request bodies (validated at the edge) and the shapes of answers (for the OpenAPI document).

Answers are encoded with msgspec from plain dicts; these models describe them. Every amount is
``{amount_minor, currency, text}``: integer minor units, the ISO 4217 code, and a string for people.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from inzira.api.numbers import json_int
from inzira.money import AMOUNT_MINOR_MAX

UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
CURRENCY_PATTERN = "^[A-Z]{3}$"
_ID = {"min_length": 1, "max_length": 64}
_NAME = {"min_length": 1, "max_length": 300}
Amount = json_int(1, AMOUNT_MINOR_MAX)
AmountOrZero = json_int(0, AMOUNT_MINOR_MAX)
ReserveMs = json_int(1, 600_000)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- requests ---


class QuoteBody(_Strict):
    receiver_msisdn: str = Field(max_length=64, examples=["+250788123456"])
    amount_type: Literal["SEND", "RECEIVE"] = Field(
        description="SEND: amount is what the customer sends (fees on top); RECEIVE: what the receiver gets")
    amount_minor: Amount = Field(examples=[20000])
    currency: str = Field(pattern=CURRENCY_PATTERN, examples=["EUR"],
                          description="The amount's currency: the source currency for SEND, RWF for RECEIVE")
    source_currency: str | None = Field(None, pattern=CURRENCY_PATTERN,
                                        description="What the customer pays in (required for RECEIVE)")
    sender_name: str | None = Field(None, **_NAME, description="The sender's full name (the travel rule, FATF "
                                    "R.16): required when the receiving FSP is at its own deployment, which is "
                                    "told it and screens it; the transfer must then carry the same")
    receiver_name: str | None = Field(None, **_NAME, description="The receiver's name as the customer knows it "
                                      "(required with sender_name); the transfer must then carry the same")


class SenderBody(_Strict):
    id: str = Field(**_ID, description="The customer's id at the sending FSP (limits and velocity count per id)")
    name: str = Field(**_NAME, description="Screened against the sanctions list")


class ReceiverBody(_Strict):
    name: str = Field(**_NAME, description="The receiver's name as the customer knows it (screened)")


class TransferBody(_Strict):
    transfer_id: str = Field(pattern=UUID_PATTERN, description="The sending FSP's id for it (a UUID, lower case): "
                             "the same id and body again is a resend; another body under it is 3106")
    quote_id: str = Field(**_ID)
    sender: SenderBody
    receiver: ReceiverBody
    expires_in_ms: ReserveMs | None = Field(None, description="How long funds stay reserved on chain (default 30 s)")


class DecisionBody(_Strict):
    decision: Literal["approve", "reject"]
    note: str = Field("", max_length=500)


class DepositBody(_Strict):
    account: str = Field(max_length=81, examples=["eurosend:eur"])
    amount_minor: Amount
    settlement_reference: str = Field(min_length=1, max_length=64, pattern=r"^[\x20-\x7e]+$",
                                      description="The reference of the interbank payment made to the issuer")


class WithdrawalBody(_Strict):
    account: str = Field(max_length=81, examples=["eurosend:eur"])
    amount_minor: Amount
    reference: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[\x20-\x7e]+$",
                                  description="What the issuer's payment to the holder will carry")


class ThresholdBody(_Strict):
    threshold_minor: AmountOrZero = Field(description="Alert when available < this; 0 removes")


class WebhookBody(_Strict):
    url: str = Field(max_length=2048, examples=["https://backend.example/inzira-events"])


class DirectoryBody(_Strict):
    msisdn: str = Field(max_length=64, examples=["+250788123456"])


# --- answers (documentation) ---


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Money(_Open):
    amount_minor: int
    currency: str
    text: str


class PartyView(_Open):
    msisdn: str
    fsp_id: str
    fsp_name: str
    masked_name: str = Field(examples=["J***** U****"])
    currency: str


class RateView(_Open):
    rate: str
    mid_market_rate: str
    margin_percent: str
    fx_margin: Money
    rates_as_of: str
    text: str


class QuoteView(_Open):
    quote_id: str
    created_at_ms: int
    expires_at_ms: int
    sending_fsp: str
    receiving_fsp: str
    receiving_fsp_name: str
    fx_provider: str
    receiver: dict[str, str]
    amount_sent: Money
    sending_fee: Money
    total_to_pay: Money
    exchange_rate: RateView
    receiving_fee: Money
    receiving_fee_in_source: Money
    amount_delivered_by_fx: Money
    amount_received: Money
    total_cost: Money
    total_cost_percent: str = Field(description="(fees + FX margin) / amount sent, percent (World Bank RPW)")
    availability: dict[str, Any]
    condition: str = Field(description="SHA-256 hashlock of the receiving FSP's fulfilment, base64url")


class TimelineEntry(_Open):
    at_ms: int
    step: str = Field(description="RECEIVED, HELD, APPROVED, RESERVED, PAYOUT_STARTED, PAYOUT_SUCCESSFUL, "
                                  "PAYOUT_FAILED, PAYOUT_PENDING, COMMITTED, ABORTED, REJECTED, RECONCILE")
    state: str
    detail: str
    code: int
    tx_id: str | None


class TransferView(_Open):
    transfer_id: str
    state: Literal["RECEIVED", "HELD", "REJECTED", "RESERVED", "COMMITTED", "ABORTED"]
    final: bool
    code: int
    reason: str
    sending_fsp: str
    receiving_fsp: str
    quote_id: str
    sender: dict[str, str]
    receiver: dict[str, str]
    amount_sent: Money
    amount_received: Money
    created_at_ms: int
    updated_at_ms: int
    expires_at_ms: int
    pending_id: str | None
    resolve_tx_id: str | None
    quote: QuoteView | None = None
    compliance: dict[str, Any] | None = None
    payout: dict[str, Any] | None = None
    timeline: list[TimelineEntry] | None = None
    links: dict[str, str]


class TransferPage(_Open):
    items: list[TransferView]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page")


class RemitReceipt(_Open):
    format: str = Field(examples=["inzira-remittance-receipt/1"])
    network: str
    transfer: dict[str, Any]
    disclosure: QuoteView | None
    ledger_receipts: list[dict[str, Any]] = Field(description="[{role: reservation|commit|void, receipt}]")
    how_to_verify: str


class Position(_Open):
    id: str
    currency: str
    balance_minor: int
    available_minor: int
    debit_cap_minor: int
    reserved: Money
    incoming: Money
    low_threshold: Money | None
    low: bool


class Alert(_Open):
    id: int
    kind: Literal["liquidity.low", "liquidity.recovered"]
    member: str
    account: str
    at_ms: int
    available: Money
    threshold: Money


class Webhook(_Open):
    id: str
    member: str
    url: str


class Corridor(_Open):
    source_currency: str
    target_currency: str
    sending_fsp: str
    receiving_fsp: str
    transfers: int
    by_state: dict[str, int]
    committed_sent_minor: int
    committed_received_minor: int


class Registration(_Open):
    msisdn: str
    fsp_id: str
    state: Literal["LISTED", "UNLISTED", "DISPUTED"]
    listed: bool
    request_id: str
    tx_id: str | None = Field(None, description="the operator's SetParty; empty when nothing changed on chain")
    dispute_id: str | None = Field(None, description="when DISPUTED: the regulator's case")
