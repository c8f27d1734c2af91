"""The card form's fields, checked as an acquirer checks them, and the test cards that decide an outcome.

Test numbers follow the public test cards of acquirers (Stripe's): 4242 4242 4242 4242 (Visa),
5555 5555 5555 4444 (Mastercard) and 6200 0000 0000 0005 (UnionPay) are approved; 4000 0000 0000 0002 is
declined (card_declined), ...9995 for insufficient funds, ...0069 as an expired card. 4000 0000 0000 0408
is this simulator's own: the card issuer never answers, and the payment times out. Any other number that
passes the Luhn check is declined as not a test card, as in an acquirer's test mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

APPROVED = frozenset({"4242424242424242", "5555555555554444", "6200000000000005"})
DECLINED = {"4000000000000002": "card_declined", "4000000000009995": "insufficient_funds",
            "4000000000000069": "expired_card"}
TIMES_OUT = "4000000000000408"
# What a person may type: digits in groups; checked before anything else is read.
_NUMBER_RE = re.compile(r"[0-9]{12,19}")
_EXPIRY_RE = re.compile(r"(0[1-9]|1[0-2])\s*/\s*([0-9]{2}|20[0-9]{2})")
_CVC_RE = re.compile(r"[0-9]{3,4}")
FIELD_CHARS_MAX = 32

Outcome = Literal["authorized", "declined", "pending"]


@dataclass(frozen=True, slots=True)
class CardDecision:
    outcome: Outcome
    reason: str | None  # the decline reason
    brand: str
    last4: str


def luhn_ok(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = ord(char) - 48
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def brand_of(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in ("51", "52", "53", "54", "55") or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number.startswith("62"):
        return "unionpay"
    return "card"


def decide(number_text: str, expiry_text: str, cvc_text: str, year: int, month: int) -> CardDecision:
    """What the card network answers for these fields at this (year, month). Bad fields are declines, as
    acquirers answer them (incorrect_number, invalid_expiry, invalid_cvc, expired_card)."""
    number = "".join(number_text[:FIELD_CHARS_MAX].split())
    last4 = number[-4:] if _NUMBER_RE.fullmatch(number) else ""
    brand = brand_of(number) if last4 else "card"
    if not last4 or not luhn_ok(number):
        return CardDecision("declined", "incorrect_number", brand, last4)
    expiry = _EXPIRY_RE.fullmatch(expiry_text[:FIELD_CHARS_MAX].strip())
    if expiry is None:
        return CardDecision("declined", "invalid_expiry", brand, last4)
    if not _CVC_RE.fullmatch(cvc_text[:FIELD_CHARS_MAX].strip()):
        return CardDecision("declined", "invalid_cvc", brand, last4)
    expiry_year = int(expiry.group(2)) % 100 + 2000
    if (expiry_year, int(expiry.group(1))) < (year, month):
        return CardDecision("declined", "expired_card", brand, last4)
    if number in APPROVED:
        return CardDecision("authorized", None, brand, last4)
    if number == TIMES_OUT:
        return CardDecision("pending", None, brand, last4)
    return CardDecision("declined", DECLINED.get(number, "not_a_test_card"), brand, last4)
