"""The QR payment service's result codes and the HTTP status each one gets.

Codes are Mojaloop-shaped 4-digit numbers; the ledger's own (``inzira.ledger.codes``) and the API's
(``inzira.api.codes``) are reused where they fit (3100 validation, 3145 quote mismatch, 3146 quote used,
3302 quote expired, 4001 insufficient funds, 4300 not permitted, 2003/2004/2005 server state). Codes of this
service are in the scheme-specific "xx40 and above" part of each range. Never renumber one: wallets and POS
pages switch on them.

| code | status | meaning |
| --- | --- | --- |
| 3150 | 400 | the payload is not a valid EMVCo merchant-presented QR (``emv_code`` and ``tag`` say why) |
| 3151 | 400 | a valid EMVCo QR, but not an Inzira merchant's (no template with GUID ``rw.inzira``) |
| 3152 | 400 | the QR does not match the bill it names (amount or currency changed) |
| 3153 | 400 | a static QR: the visitor must enter the amount (or an amount was given for a dynamic QR) |
| 3154 | 409 | the dynamic QR (bill) is already paid |
| 3155 | 409 | another payment of this bill is still on its way to the ledger: ask again shortly |
| 3156 | 409 | the refund would take back more than was paid (all refunds of the payment together) |
| 3157 | 400 | currency not offered (wallet currency of the issuer, or a QR not priced in RWF) |
| 3158 | 403 | the merchant's or wallet holder's name matches the sanctions list: referred to compliance |
| 3250 | 404 | merchant not found (or not visible to the caller) |
| 3251 | 404 | bill not found |
| 3252 | 404 | wallet not found |
| 3253 | 404 | quote not found (unknown, another wallet's, or forgotten after expiry) |
| 3254 | 404 | payment not found |
| 3340 | 410 | the dynamic QR (bill) expired |
"""

from __future__ import annotations

from enum import IntEnum

from inzira.api.codes import ApiCode, title_of
from inzira.ledger.codes import Code


class QrCode(IntEnum):
    QR_INVALID = 3150
    QR_NOT_INZIRA = 3151
    QR_MISMATCH = 3152
    AMOUNT_REQUIRED = 3153
    BILL_ALREADY_PAID = 3154
    PAYMENT_IN_PROGRESS = 3155
    REFUND_EXCEEDS_PAYMENT = 3156
    CURRENCY_NOT_OFFERED = 3157
    NAME_ON_SANCTIONS_LIST = 3158
    MERCHANT_NOT_FOUND = 3250
    BILL_NOT_FOUND = 3251
    WALLET_NOT_FOUND = 3252
    QUOTE_NOT_FOUND = 3253
    PAYMENT_NOT_FOUND = 3254
    BILL_EXPIRED = 3340


TITLES: dict[int, str] = {
    QrCode.QR_INVALID: "not a valid EMVCo merchant QR",
    QrCode.QR_NOT_INZIRA: "not an Inzira merchant QR",
    QrCode.QR_MISMATCH: "QR does not match its bill",
    QrCode.AMOUNT_REQUIRED: "amount required",
    QrCode.BILL_ALREADY_PAID: "already paid",
    QrCode.PAYMENT_IN_PROGRESS: "payment in progress",
    QrCode.REFUND_EXCEEDS_PAYMENT: "refund exceeds payment",
    QrCode.CURRENCY_NOT_OFFERED: "currency not offered",
    QrCode.NAME_ON_SANCTIONS_LIST: "name on the sanctions list",
    QrCode.MERCHANT_NOT_FOUND: "merchant not found",
    QrCode.BILL_NOT_FOUND: "bill not found",
    QrCode.WALLET_NOT_FOUND: "wallet not found",
    QrCode.QUOTE_NOT_FOUND: "quote not found",
    QrCode.PAYMENT_NOT_FOUND: "payment not found",
    QrCode.BILL_EXPIRED: "QR expired",
}

_STATUS: dict[int, int] = {
    Code.VALIDATION: 400,
    Code.QUOTE_MISMATCH: 400,
    QrCode.QR_INVALID: 400,
    QrCode.QR_NOT_INZIRA: 400,
    QrCode.QR_MISMATCH: 400,
    QrCode.AMOUNT_REQUIRED: 400,
    QrCode.CURRENCY_NOT_OFFERED: 400,
    Code.PERMISSION: 403,
    QrCode.NAME_ON_SANCTIONS_LIST: 403,
    QrCode.MERCHANT_NOT_FOUND: 404,
    QrCode.BILL_NOT_FOUND: 404,
    QrCode.WALLET_NOT_FOUND: 404,
    QrCode.QUOTE_NOT_FOUND: 404,
    QrCode.PAYMENT_NOT_FOUND: 404,
    Code.QUOTE_USED: 409,
    QrCode.BILL_ALREADY_PAID: 409,
    QrCode.PAYMENT_IN_PROGRESS: 409,
    QrCode.REFUND_EXCEEDS_PAYMENT: 409,
    Code.QUOTE_EXPIRED: 410,
    QrCode.BILL_EXPIRED: 410,
    ApiCode.INTERNAL: 500,
    ApiCode.UNAVAILABLE: 503,
    ApiCode.BUSY: 503,
    ApiCode.TIMEOUT: 504,
}


def title(code: int) -> str:
    return TITLES.get(code) or title_of(code)


def status_of(code: int, in_chain: bool = False) -> int:
    """A ledger verdict in a block is 422 (it has a receipt), as on the ledger API; the rest by code."""
    if in_chain:
        return 422
    return _STATUS.get(code, 422)
