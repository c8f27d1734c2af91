"""Bodies on the simulator's wire: MTN MoMo disbursement JSON (camelCase, amounts as strings) and admin JSON.

Checks shared by the routes live here too, so every route refuses bad input the same way.
"""

from __future__ import annotations

import re
import uuid

import msgspec

from inzira.money import MoneyError, format_decimal, parse_decimal_minor

MSISDN_RE = re.compile(r"[1-9][0-9]{7,14}")  # E.164 digits without "+", as MTN takes them
_AMOUNT_RE = re.compile(r"[0-9]{1,19}(\.[0-9]{1,18})?")
MESSAGE_CHARS_MAX = 160  # MTN refuses longer payerMessage / payeeNote
EXTERNAL_ID_CHARS_MAX = 128
NAME_CHARS_MAX = 100
URL_CHARS_MAX = 2_048


class Party(msgspec.Struct, rename="camel", frozen=True):
    party_id_type: str
    party_id: str


class TransferBody(msgspec.Struct, rename="camel", frozen=True):
    amount: str
    currency: str
    payee: Party
    external_id: str = ""
    payer_message: str = ""
    payee_note: str = ""


class TokenResponse(msgspec.Struct, frozen=True):
    access_token: str
    token_type: str
    expires_in: int


class NewWallet(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    msisdn: str
    given_name: str
    family_name: str
    balance_minor: int = 0
    active: bool = True


class WalletView(msgspec.Struct, frozen=True):
    msisdn: str
    given_name: str
    family_name: str
    active: bool
    balance_minor: int
    currency: str


class HistoryEntry(msgspec.Struct, frozen=True):
    reference_id: str
    financial_transaction_id: str
    amount_minor: int
    balance_after_minor: int
    at_ms: int


class FloatView(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    balance_minor: int
    currency: str = ""


class SimStats(msgspec.Struct, frozen=True):
    tokens_issued: int
    transfers: int
    pending: int
    successful: int
    failed: int
    callbacks_sent: int
    callbacks_failed: int
    callbacks_dropped: int
    status_reads: int = 0  # GET /transfer/{referenceId}: how often partners polled instead of being called back


class BadRequest(ValueError):
    """Input the simulator refuses with 400; ``code`` names the rule, the message says what to send instead."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_body(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def check_msisdn(text: str) -> str:
    if not MSISDN_RE.fullmatch(text):
        message = f"{text!r} is not an MSISDN: send E.164 digits without '+', e.g. 250788123456"
        raise BadRequest("INVALID_PAYEE", message)
    return text


def check_reference_id(text: str | None) -> str:
    """The X-Reference-Id header: a UUID version 4 (MTN refuses anything else), returned in canonical form."""
    if not text:
        raise BadRequest("INVALID_REFERENCE_ID", "the X-Reference-Id header is required (a UUID version 4)")
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        raise BadRequest("INVALID_REFERENCE_ID", f"X-Reference-Id {text!r} is not a UUID") from None
    if parsed.version != 4 or len(text) != 36:
        raise BadRequest("INVALID_REFERENCE_ID", f"X-Reference-Id {text!r} is not a UUID version 4 in 8-4-4-4-12 form")
    return str(parsed)


def parse_amount_text(text: str, code: str) -> int:
    """A positive amount string such as "15000" or "200.50" in minor units of ``code``; never through float."""
    if not _AMOUNT_RE.fullmatch(text):
        raise BadRequest("INVALID_AMOUNT", f"amount {text!r} is not a positive decimal number such as \"15000\"")
    try:
        minor = parse_decimal_minor(text, code)
    except MoneyError as exc:
        raise BadRequest("INVALID_AMOUNT", f"amount {text!r}: {exc}") from None
    if minor <= 0:
        raise BadRequest("INVALID_AMOUNT", f"amount {text!r} must be greater than zero")
    return minor


def check_text(field: str, text: str, chars_max: int) -> str:
    if len(text) > chars_max:
        raise BadRequest("INVALID_BODY", f"{field} is longer than {chars_max} characters")
    return text


def amount_text(amount_minor: int, code: str) -> str:
    return format_decimal(amount_minor, code, grouping=False)
