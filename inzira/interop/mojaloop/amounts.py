"""FSPIOP amounts (decimal strings without trailing zeros: "1500", "12.5") to and from Inzira's minor units."""

from __future__ import annotations

import re

from inzira.money import MoneyError, currency, format_decimal, parse_decimal_minor

_FSPIOP_AMOUNT_RE = re.compile(r"^([0]|([1-9][0-9]{0,17}))([.][0-9]{0,3}[1-9])?$")  # the API's Amount pattern


def fspiop_amount(minor: int, code: str) -> str:
    if minor < 0:
        raise MoneyError("FSPIOP amounts are never negative")
    text = format_decimal(minor, code, grouping=False)
    return text.rstrip("0").rstrip(".") if "." in text else text


def minor_from_fspiop(text: object, code: str) -> int:
    """An FSPIOP amount in ``code``'s minor units; more decimals than the currency has is an error."""
    if not isinstance(text, str) or not _FSPIOP_AMOUNT_RE.fullmatch(text):
        raise MoneyError(f"{str(text)[:40]!r} is not an FSPIOP amount")
    currency(code)
    return parse_decimal_minor(text, code)
