"""Reading the fields of an FSPIOP body the gateway acts on, each refusal naming the failing field.

The full shape of a body is checked against Mojaloop's own definitions (schemas.py); these readers guard
what the payee logic uses, so a body that slips past a schema still gets a 400 with 3100-series codes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from inzira.interop.mojaloop.errors import ErrorCode, FspiopError, malformed, missing
from inzira.money import MoneyError, currency, format_decimal, parse_decimal_minor

BODY_BYTES_MAX = 64 * 1024
TEXT_CHARS_MAX = 128
_AMOUNT = re.compile(r"(0|[1-9][0-9]{0,17})(\.[0-9]{0,3}[1-9])?")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[1-7][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.IGNORECASE)
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?(Z|[+-]\d{2}:\d{2})")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def parse_body(raw: bytes) -> dict[str, Any]:
    if not raw:
        raise missing("/body")
    if len(raw) > BODY_BYTES_MAX:
        raise FspiopError(ErrorCode.TOO_LARGE_PAYLOAD, f"body is larger than {BODY_BYTES_MAX} bytes")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # ValueError: also a number over Python's 4300-digit limit
        raise malformed("/body", "is not JSON") from None
    if not isinstance(body, dict):
        raise malformed("/body", "must be a JSON object")
    return body


def obj(body: dict[str, Any], path: str) -> dict[str, Any]:
    value = _at(body, path)
    if not isinstance(value, dict):
        raise FspiopError(ErrorCode.VALIDATION, f"/{path.replace('.', '/')} must be an object")
    return value


def text(body: dict[str, Any], path: str, chars_max: int = TEXT_CHARS_MAX) -> str:
    value = _at(body, path)
    if not isinstance(value, str) or not value or len(value) > chars_max:
        raise FspiopError(ErrorCode.VALIDATION, f"/{path.replace('.', '/')} must be a string of 1 to {chars_max}"
                          " characters")
    return value


def uuid_text(body: dict[str, Any], path: str) -> str:
    value = text(body, path, 36)
    if not _UUID.fullmatch(value):
        raise FspiopError(ErrorCode.VALIDATION, f"/{path.replace('.', '/')} must be a UUID (RFC 4122)")
    return value


def datetime_text(body: dict[str, Any], path: str) -> str:
    value = text(body, path, 40)
    if not _DATETIME.fullmatch(value):
        raise FspiopError(ErrorCode.VALIDATION, f"/{path.replace('.', '/')} must be an ISO 8601 date-time")
    return value


def base64url_text(body: dict[str, Any], path: str, chars_max: int) -> str:
    value = text(body, path, chars_max)
    if not _BASE64URL.fullmatch(value):
        raise FspiopError(ErrorCode.VALIDATION, f"/{path.replace('.', '/')} must be base64url")
    return value


def amount(body: dict[str, Any], path: str) -> tuple[str, str]:
    """(amount text, currency code) of a Money object, both as the body wrote them."""
    money = obj(body, path)
    value, code = money.get("amount"), money.get("currency")
    if value is None:
        raise missing(f"/{path.replace('.', '/')}/amount")
    if code is None:
        raise missing(f"/{path.replace('.', '/')}/currency")
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise FspiopError(ErrorCode.VALIDATION, f"/{path.replace('.', '/')}/amount must be a decimal string")
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}", code):
        raise FspiopError(ErrorCode.VALIDATION, f"/{path.replace('.', '/')}/currency must be an ISO 4217 code")
    return value, code


def to_minor(value: str, code: str) -> int | None:
    """The amount in minor units, or None when the currency is unknown or has fewer decimals than written."""
    try:
        return parse_decimal_minor(value, code)
    except MoneyError:
        return None


def money(amount_minor: int, code: str) -> dict[str, str]:
    """A Money object: the amount without grouping and without trailing zeros, as the API's pattern wants."""
    decimal = format_decimal(amount_minor, code, grouping=False)
    if currency(code).exponent > 0:
        decimal = decimal.rstrip("0").rstrip(".")
    return {"amount": decimal, "currency": code}


def _at(body: dict[str, Any], path: str) -> Any:
    value: Any = body
    walked = ""
    for key in path.split("."):
        walked += "/" + key
        if not isinstance(value, dict) or key not in value or value[key] is None:
            raise missing(walked)
        value = value[key]
    return value
