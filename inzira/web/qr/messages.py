"""What the QR pages tell people when the service says no: a plain sentence per code, the detail beside it.

The sentence says what happened and what to do; the API's own detail (kept in small print) says exactly why.
"""

from __future__ import annotations

from dataclasses import dataclass

from inzira.api.codes import ApiCode
from inzira.ledger.codes import Code
from inzira.money import money_text
from inzira.qr.codes import QrCode
from inzira.http import HttpProblem

_VISITOR = {
    QrCode.QR_INVALID: "This is not a merchant payment QR code, or it did not read cleanly. Scan it again, or "
                       "paste its text.",
    QrCode.QR_NOT_INZIRA: "Not an Inzira merchant: this QR code belongs to another payment scheme, so this wallet "
                          "cannot pay it. Nothing was charged.",
    QrCode.BILL_NOT_FOUND: "This QR code names no bill of this merchant: it may have been altered, or the bill "
                           "is long gone. Ask the merchant for a new one. Nothing was charged.",
    QrCode.AMOUNT_REQUIRED: "Enter the amount to pay, in RWF.",
    QrCode.BILL_ALREADY_PAID: "This bill is already paid. Nothing was charged this time.",
    QrCode.PAYMENT_IN_PROGRESS: "Another payment of this bill is on its way. Wait a moment, then look at your "
                                "history before trying again.",
    QrCode.CURRENCY_NOT_OFFERED: "This QR code is not priced in RWF, or your wallet's currency is not offered.",
    QrCode.FEE_NOT_OFFERED: "This QR code adds a convenience fee, which this wallet cannot pay. Ask the merchant "
                            "for its Inzira QR code. Nothing was charged.",
    QrCode.BILL_EXPIRED: "This QR code has expired. Ask the merchant for a new one. Nothing was charged.",
    QrCode.QUOTE_NOT_FOUND: "This quote is no longer known. Get a new quote.",
    Code.QUOTE_EXPIRED: "The quote expired before you confirmed. Nothing was charged: get a new quote (the rate "
                        "may have changed).",
    Code.INSUFFICIENT_LIQUIDITY: "Insufficient funds: your wallet does not hold enough for this payment. Top up, "
                                 "then pay again. Nothing was charged.",
}

_MERCHANT = {
    QrCode.REFUND_EXCEEDS_PAYMENT: "That is more than can still be refunded.",
    QrCode.REFUND_OUTSIDE_INZIRA: "This payment came from outside Inzira (eKash): it is not refunded here. Nothing "
                                  "was moved; settle it with the payer directly.",
    Code.INSUFFICIENT_LIQUIDITY: "Your account does not hold enough RWF for this refund. Nothing was moved.",
    QrCode.PAYMENT_NOT_FOUND: "No such payment to this merchant.",
    QrCode.BILL_NOT_FOUND: "No such bill for this merchant.",
}

_COMMON = {
    Code.VALIDATION: "Check this entry.",
    ApiCode.UNAUTHENTICATED: "This session's token is no longer accepted. Sign in again.",
    ApiCode.BUSY: "The payment service is busy. Try again in a moment.",
    ApiCode.UNAVAILABLE: "The payment service is not available right now. Try again later.",
    ApiCode.TIMEOUT: "No answer from the ledger in time. It settles in the background: look at the history before "
                     "trying again.",
}


@dataclass(frozen=True, slots=True)
class Notice:
    code: int
    sentence: str
    detail: str


def visitor_notice(refusal: HttpProblem) -> Notice:
    sentence = _VISITOR.get(refusal.code) or _COMMON.get(refusal.code) or "The payment service refused this."
    return Notice(refusal.code, sentence, refusal.detail)


def merchant_notice(refusal: HttpProblem) -> Notice:
    sentence = _MERCHANT.get(refusal.code) or _COMMON.get(refusal.code) or "The payment service refused this."
    refundable = refusal.extra.get("refundable_minor")
    if refusal.code == QrCode.REFUND_EXCEEDS_PAYMENT and isinstance(refundable, int):
        sentence = f"{sentence} At most {money_text(refundable, 'RWF')} can still be refunded."
    return Notice(refusal.code, sentence, refusal.detail)


def unreachable_notice(reason: str) -> Notice:
    return Notice(ApiCode.UNAVAILABLE, "The payment service cannot be reached right now. Try again in a moment.",
                  reason)
