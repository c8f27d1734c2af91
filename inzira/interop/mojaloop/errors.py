"""Mojaloop's error codes and the ``errorInformation`` body every FSPIOP error carries.

An error is answered in one of two ways: at once, with an HTTP 4xx and ``errorInformation`` (headers or a body
that cannot be processed: 3001, 3101, 3102...), or after the 202, as ``PUT .../error`` to the peer (business
failures: party not found, quote expired, payee rejected...). Both use the same body.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

DESCRIPTION_CHARS_MAX = 128  # ErrorDescription is at most 128 characters in the API definition


class ErrorCode(IntEnum):
    """The codes this gateway sends (Mojaloop FSPIOP v1.1 API definition, section 7.6)."""

    COMMUNICATION = 1000
    DESTINATION_COMMUNICATION = 1001
    SERVER = 2000
    INTERNAL_SERVER = 2001
    NOT_IMPLEMENTED = 2002
    SERVICE_UNAVAILABLE = 2003
    SERVER_TIMED_OUT = 2004
    CLIENT = 3000
    UNACCEPTABLE_VERSION = 3001
    UNKNOWN_URI = 3002
    VALIDATION = 3100
    MALFORMED_SYNTAX = 3101
    MISSING_ELEMENT = 3102
    TOO_MANY_ELEMENTS = 3103
    TOO_LARGE_PAYLOAD = 3104
    INVALID_SIGNATURE = 3105
    MODIFIED_REQUEST = 3106
    ID_NOT_FOUND = 3200
    DESTINATION_FSP = 3201
    PARTY_NOT_FOUND = 3204
    QUOTE_ID_NOT_FOUND = 3205
    TRANSFER_ID_NOT_FOUND = 3208
    EXPIRED = 3300
    QUOTE_EXPIRED = 3302
    TRANSFER_EXPIRED = 3303
    PAYER_ERROR = 4000
    PAYER_FSP_INSUFFICIENT_LIQUIDITY = 4001
    PAYEE_ERROR = 5000
    PAYEE_FSP_INSUFFICIENT_LIQUIDITY = 5001
    PAYEE_REJECTION = 5100
    PAYEE_UNSUPPORTED_TRANSACTION_TYPE = 5101
    PAYEE_FSP_REJECTED_QUOTE = 5103
    PAYEE_FSP_REJECTED_TRANSACTION = 5105
    PAYEE_UNSUPPORTED_CURRENCY = 5106
    PAYEE_LIMIT = 5200
    PAYEE_BLOCKED = 5400


# The HTTP status of an error answered at once (anything else in the 3xxx range is a 400).
_STATUS = {
    ErrorCode.UNACCEPTABLE_VERSION: 406,
    ErrorCode.UNKNOWN_URI: 404,
    ErrorCode.TOO_LARGE_PAYLOAD: 413,
    ErrorCode.INVALID_SIGNATURE: 400,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
}


class FspiopError(Exception):
    """An expected refusal, with its Mojaloop code and a description naming the failing element."""

    def __init__(self, code: ErrorCode, description: str, extensions: tuple[tuple[str, str], ...] = ()) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.extensions = extensions

    @property
    def http_status(self) -> int:
        return _STATUS.get(self.code, 400)

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.description, self.extensions)


def error_body(code: ErrorCode, description: str, extensions: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    """``{"errorInformation": {...}}``: the code as the 4-digit string the schema wants, a bounded description."""
    info: dict[str, Any] = {"errorCode": f"{int(code):04d}",
                            "errorDescription": _description(code, description)}
    if extensions:
        info["extensionList"] = {"extension": [{"key": k[:32], "value": v[:128]} for k, v in extensions[:16]]}
    return {"errorInformation": info}


# The names the API definition gives the codes (section 7.6), which Mojaloop's switch writes first.
_NAMES = {ErrorCode.COMMUNICATION: "Communication error", ErrorCode.SERVER: "Generic server error",
          ErrorCode.SERVICE_UNAVAILABLE: "Service currently unavailable", ErrorCode.CLIENT: "Generic client error",
          ErrorCode.UNACCEPTABLE_VERSION: "Unacceptable version requested", ErrorCode.UNKNOWN_URI: "Unknown URI",
          ErrorCode.VALIDATION: "Generic validation error", ErrorCode.MALFORMED_SYNTAX: "Malformed syntax",
          ErrorCode.MISSING_ELEMENT: "Missing mandatory element", ErrorCode.TOO_MANY_ELEMENTS: "Too many elements",
          ErrorCode.TOO_LARGE_PAYLOAD: "Too large payload", ErrorCode.INVALID_SIGNATURE: "Invalid signature",
          ErrorCode.MODIFIED_REQUEST: "Modified request", ErrorCode.ID_NOT_FOUND: "Generic ID not found",
          ErrorCode.DESTINATION_FSP: "Destination FSP Error", ErrorCode.PARTY_NOT_FOUND: "Party not found",
          ErrorCode.QUOTE_ID_NOT_FOUND: "Quote ID not found", ErrorCode.TRANSFER_ID_NOT_FOUND: "Transfer ID not found",
          ErrorCode.QUOTE_EXPIRED: "Quote expired", ErrorCode.TRANSFER_EXPIRED: "Transfer expired",
          ErrorCode.PAYEE_ERROR: "Generic Payee error",
          ErrorCode.PAYEE_FSP_INSUFFICIENT_LIQUIDITY: "Payee FSP insufficient liquidity",
          ErrorCode.PAYEE_FSP_REJECTED_TRANSACTION: "Payee FSP rejected transaction",
          ErrorCode.PAYEE_UNSUPPORTED_CURRENCY: "Payee unsupported currency", ErrorCode.PAYEE_BLOCKED: "Payee blocked"}


def _description(code: ErrorCode, detail: str) -> str:
    """The code's own name first (what Mojaloop's switch writes), then the detail, within 128 characters."""
    name = _NAMES.get(code) or code.name.replace("_", " ").capitalize()
    text = f"{name} - {detail}" if detail else name
    return text if len(text) <= DESCRIPTION_CHARS_MAX else text[:DESCRIPTION_CHARS_MAX - 3] + "..."


def missing(element: str) -> FspiopError:
    return FspiopError(ErrorCode.MISSING_ELEMENT, f"{element} is required")


def malformed(element: str, why: str) -> FspiopError:
    return FspiopError(ErrorCode.MALFORMED_SYNTAX, f"{element} {why}")
