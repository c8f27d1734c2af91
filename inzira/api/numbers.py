"""Numbers from outside (a path, a query, a header, a body, a receipt): ASCII digits only, within a range.

Python's own parsing accepts far more: ``"²".isdigit()`` is true yet ``int("²")`` raises; ``int("١٢")`` is 12
(Arabic-Indic digits); ``int(" 1_2 ")`` is 12; and an int has no upper bound, so a path can carry 2**70,
which neither SQLite nor msgspec can hold. Every number read from a request goes through here: by hand with
``parse_digits`` (cursors, headers, form fields) or ``bounded`` (a JSON value), as a FastAPI path or query
parameter typed ``digits(low, high)``, or as a request body's pydantic field typed ``json_int(low, high)``; the
OpenAPI document states both bounds as minimum and maximum. A body's number is a JSON integer and nothing else:
``"5"`` is refused, as are ``5.0`` and ``true``, so an amount means one thing to every reader of the body (an
FSPIOP amount, a decimal string by that spec, is read by the Mojaloop gateway's own schemas, not here).
A failure is the caller's: a 400 problem with code 3100. Pages people edit by hand use ``clamp_digits``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

INT64_MAX = 2**63 - 1  # what SQLite's INTEGER and msgspec's int hold
DIGITS_MAX = 19  # ASCII digits of INT64_MAX
TIME_MS_MAX = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z: any timestamp in ms a caller may pass
_DIGITS = re.compile(r"[0-9]{1,19}")
_DIGITS_ANY = re.compile(r"[0-9]{1,40}")


def parse_digits(text: str, low: int = 0, high: int = INT64_MAX) -> int | None:
    """The number ``text`` spells in 1 to 19 ASCII digits, if it lies in [low, high]; otherwise None."""
    if _DIGITS.fullmatch(text) is None:
        return None
    value = int(text)
    return value if low <= value <= high else None


def clamp_digits(text: str, low: int, high: int) -> int | None:
    """For a page's hand-editable address: ASCII digits (at most 40) brought into [low, high]; else None."""
    if _DIGITS_ANY.fullmatch(text) is None:
        return None
    return min(max(int(text), low), high)


def bounded(value: object, low: int = 0, high: int = INT64_MAX) -> int | None:
    """A JSON integer (never a bool, a float or a string) in [low, high]; otherwise None."""
    return value if type(value) is int and low <= value <= high else None


def _ascii_digits(value: Any) -> Any:
    if isinstance(value, str):
        if _DIGITS.fullmatch(value) is None:
            raise ValueError("must be 1 to 19 ASCII digits")
        return int(value)
    if type(value) is not int:
        raise ValueError("must be an integer")
    return value


def _json_int(value: Any) -> Any:
    if type(value) is not int:
        raise ValueError("must be a JSON integer (not a string, a decimal or a boolean)")
    return value


def digits(low: int, high: int) -> Any:
    """A path or query parameter in [low, high], written in ASCII digits.

    The bounds come before the validator in the annotation so that FastAPI writes them into the OpenAPI
    document as ``minimum`` and ``maximum``.
    """
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_ascii_digits)]


def json_int(low: int, high: int) -> Any:
    """A request body's field in [low, high]: a JSON integer only (bounds in the OpenAPI document as for ``digits``)."""
    return Annotated[int, Field(ge=low, le=high), BeforeValidator(_json_int)]
