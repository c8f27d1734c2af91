"""The QR payment service's result codes and the HTTP status each one gets.

Codes are Mojaloop-shaped 4-digit numbers; the ledger's own (``inzira.ledger.codes``) and the API's
(``inzira.api.codes``) are reused where they fit (3100 validation, 3105 a signature that does not verify,
3145 quote mismatch, 3146 quote used,
3302 quote expired, 4001 insufficient funds, 4300 not permitted, 2003/2004/2005 server state, 2040 the FX
provider's rates too old to quote from: 503). Codes of this service are in the scheme-specific "xx40 and above"
part of each range. Never renumber one: wallets and POS pages switch on them.

| code | status | meaning |
| --- | --- | --- |
| 3150 | 400 | the payload is not a valid EMVCo merchant-presented QR (``emv_code`` and ``tag`` say why) |
| 3151 | 400 | a valid EMVCo QR, but not an Inzira merchant's (no template with GUID ``rw.inzira``) |
| 3152 | - | retired: a QR whose amount is not its bill's answers 3251, as a bill that does not exist |
| 3153 | 400 | a static QR: the visitor must enter the amount (or an amount was given for a dynamic QR) |
| 3154 | 409 | the dynamic QR (bill) is already paid |
| 3155 | 409 | another payment of this bill is still on its way to the ledger: ask again shortly |
| 3156 | 409 | the refund would take back more than was paid (all refunds of the payment together) |
| 3157 | 400 | currency not offered (wallet currency of the issuer, or a QR not priced in RWF) |
| 3158 | 400 | the wallet's issuer takes no card top-ups on this service |
| 3105 | 401 | a card acquirer's callback without a valid signature, or signed outside the replay window |
| 3159 | 409 | the card acquirer's payment does not match the top-up (amount, currency, reference, credited) |
| 3162 | 400 | the QR adds a convenience fee (tag 55 = 02 or 03), which Inzira payments do not carry |
| 3160 | 403 | the merchant's or wallet holder's name matches the sanctions list: referred to compliance |
| 3250 | 404 | merchant not found (or not visible to the caller) |
| 3251 | 404 | bill not found |
| 3252 | 404 | wallet not found |
| 3253 | 404 | quote not found (unknown, another wallet's, or forgotten after expiry) |
| 3254 | 404 | payment not found |
| 3255 | 404 | top-up not found |
| 3340 | 410 | the dynamic QR (bill) expired |
| 4240 | 422 | the wallet's top-ups would pass the day's amount limit (``limit_minor``, ``used_minor``) |
| 4241 | 429 | the wallet asked for as many top-ups as a day allows (``limit``, ``resets_at_ms``; Retry-After) |
| 4242 | 422 | the top-up would take the wallet above its balance limit (``limit_minor``) |
| 5240 | 429 | the merchant left as many bills unpaid as a day allows (``limit``, ``resets_at_ms``; Retry-After) |
| 3041 | 429 | the wallet asked for quotes faster than its allowance (Retry-After) |
"""

from __future__ import annotations

from enum import IntEnum

from inzira.api.codes import ApiCode, title_of
from inzira.ledger.codes import Code


class QrCode(IntEnum):
    QR_INVALID = 3150
    QR_NOT_INZIRA = 3151
    AMOUNT_REQUIRED = 3153
    BILL_ALREADY_PAID = 3154
    PAYMENT_IN_PROGRESS = 3155
    REFUND_EXCEEDS_PAYMENT = 3156
    CURRENCY_NOT_OFFERED = 3157
    TOPUP_NOT_OFFERED = 3158
    CARD_PAYMENT_MISMATCH = 3159
    CALLBACK_UNSIGNED = 3105  # Mojaloop's "invalid signature", as the directory answers an unsigned request
    NAME_ON_SANCTIONS_LIST = 3160
    REFUND_OUTSIDE_INZIRA = 3161
    FEE_NOT_OFFERED = 3162
    MERCHANT_NOT_FOUND = 3250
    BILL_NOT_FOUND = 3251
    WALLET_NOT_FOUND = 3252
    QUOTE_NOT_FOUND = 3253
    PAYMENT_NOT_FOUND = 3254
    TOPUP_NOT_FOUND = 3255
    BILL_EXPIRED = 3340
    TOPUP_DAY_AMOUNT = 4240
    TOPUP_DAY_COUNT = 4241
    WALLET_BALANCE_LIMIT = 4242
    BILL_DAY_COUNT = 5240  # in Mojaloop's payee limit range (52xx): the merchant is the payee


TITLES: dict[int, str] = {
    QrCode.QR_INVALID: "not a valid EMVCo merchant QR",
    QrCode.QR_NOT_INZIRA: "not an Inzira merchant QR",
    QrCode.AMOUNT_REQUIRED: "amount required",
    QrCode.BILL_ALREADY_PAID: "already paid",
    QrCode.PAYMENT_IN_PROGRESS: "payment in progress",
    QrCode.REFUND_EXCEEDS_PAYMENT: "refund exceeds payment",
    QrCode.CURRENCY_NOT_OFFERED: "currency not offered",
    QrCode.TOPUP_NOT_OFFERED: "card top-ups not offered",
    QrCode.CARD_PAYMENT_MISMATCH: "card payment does not match the top-up",
    QrCode.CALLBACK_UNSIGNED: "callback signature invalid",
    QrCode.NAME_ON_SANCTIONS_LIST: "name on the sanctions list",
    QrCode.REFUND_OUTSIDE_INZIRA: "paid from outside Inzira: not refunded here",
    QrCode.FEE_NOT_OFFERED: "convenience fee not offered",
    QrCode.MERCHANT_NOT_FOUND: "merchant not found",
    QrCode.BILL_NOT_FOUND: "bill not found",
    QrCode.WALLET_NOT_FOUND: "wallet not found",
    QrCode.QUOTE_NOT_FOUND: "quote not found",
    QrCode.PAYMENT_NOT_FOUND: "payment not found",
    QrCode.TOPUP_NOT_FOUND: "top-up not found",
    QrCode.BILL_EXPIRED: "QR expired",
    QrCode.TOPUP_DAY_AMOUNT: "daily top-up amount limit",
    QrCode.TOPUP_DAY_COUNT: "daily top-up count limit",
    QrCode.WALLET_BALANCE_LIMIT: "wallet balance limit",
    QrCode.BILL_DAY_COUNT: "daily unpaid bills limit",
}

_STATUS: dict[int, int] = {
    Code.VALIDATION: 400,
    Code.QUOTE_MISMATCH: 400,
    QrCode.QR_INVALID: 400,
    QrCode.QR_NOT_INZIRA: 400,
    QrCode.AMOUNT_REQUIRED: 400,
    QrCode.CURRENCY_NOT_OFFERED: 400,
    QrCode.FEE_NOT_OFFERED: 400,
    QrCode.TOPUP_NOT_OFFERED: 400,
    QrCode.CALLBACK_UNSIGNED: 401,
    ApiCode.UNAUTHENTICATED: 401,
    Code.PERMISSION: 403,
    QrCode.NAME_ON_SANCTIONS_LIST: 403,
    QrCode.MERCHANT_NOT_FOUND: 404,
    QrCode.BILL_NOT_FOUND: 404,
    QrCode.WALLET_NOT_FOUND: 404,
    QrCode.QUOTE_NOT_FOUND: 404,
    QrCode.PAYMENT_NOT_FOUND: 404,
    QrCode.TOPUP_NOT_FOUND: 404,
    Code.QUOTE_USED: 409,
    QrCode.BILL_ALREADY_PAID: 409,
    QrCode.PAYMENT_IN_PROGRESS: 409,
    QrCode.REFUND_EXCEEDS_PAYMENT: 409,
    QrCode.REFUND_OUTSIDE_INZIRA: 409,
    QrCode.CARD_PAYMENT_MISMATCH: 409,
    Code.QUOTE_EXPIRED: 410,
    QrCode.BILL_EXPIRED: 410,
    QrCode.TOPUP_DAY_AMOUNT: 422,
    QrCode.WALLET_BALANCE_LIMIT: 422,
    QrCode.TOPUP_DAY_COUNT: 429,
    QrCode.BILL_DAY_COUNT: 429,
    ApiCode.RATE_LIMITED: 429,
    ApiCode.INTERNAL: 500,
    ApiCode.UNAVAILABLE: 503,
    ApiCode.BUSY: 503,
    ApiCode.RATES_STALE: 503,
    ApiCode.TIMEOUT: 504,
}


def title(code: int) -> str:
    return TITLES.get(code) or title_of(code)


def status_of(code: int, in_chain: bool = False) -> int:
    """A ledger verdict in a block is 422 (it has a receipt), as on the ledger API; the rest by code."""
    if in_chain:
        return 422
    return _STATUS.get(code, 422)
