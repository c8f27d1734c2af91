"""Currencies (ISO 4217) and amounts as integers in minor units.

Inside Inzira an amount is always an ``int`` of minor units together with its currency. Text such as
"15,000 RWF" or "200.00 EUR" exists only at the edges: ``parse_amount`` on the way in, ``format_minor``
on the way out. No float ever touches money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import NewType

CurrencyCode = NewType("CurrencyCode", str)

# The largest amount any single value may hold: it fits a signed 64-bit integer, as in SQLite.
AMOUNT_MINOR_MAX = 2**63 - 1
# Far above any amount written out (19 digits, separators, decimals): longer text is refused before Decimal
# reads it, whose conversion to int takes seconds on a few hundred thousand digits and overflows past a million.
AMOUNT_CHARS_MAX = 64


@dataclass(frozen=True, slots=True)
class Currency:
    code: CurrencyCode
    numeric: str  # ISO 4217 numeric code, three digits as written in EMVCo tag 53
    exponent: int  # digits after the decimal point
    name: str


def _c(code: str, numeric: str, exponent: int, name: str) -> Currency:
    return Currency(CurrencyCode(code), numeric, exponent, name)


# ISO 4217 (current edition): alpha code, numeric code, minor-unit exponent.
CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        _c("RWF", "646", 0, "Rwandan franc"),
        _c("EUR", "978", 2, "Euro"),
        _c("USD", "840", 2, "US dollar"),
        _c("CNY", "156", 2, "Chinese yuan renminbi"),
        _c("GBP", "826", 2, "Pound sterling"),
        _c("AED", "784", 2, "UAE dirham"),
        _c("KES", "404", 2, "Kenyan shilling"),
        _c("UGX", "800", 0, "Ugandan shilling"),
        _c("TZS", "834", 2, "Tanzanian shilling"),
        _c("ZAR", "710", 2, "South African rand"),
        _c("BIF", "108", 0, "Burundian franc"),
        _c("CDF", "976", 2, "Congolese franc"),
        _c("INR", "356", 2, "Indian rupee"),
        _c("JPY", "392", 0, "Japanese yen"),
        _c("CHF", "756", 2, "Swiss franc"),
        _c("CAD", "124", 2, "Canadian dollar"),
        _c("SGD", "702", 2, "Singapore dollar"),
        _c("THB", "764", 2, "Thai baht"),
        _c("BRL", "986", 2, "Brazilian real"),
        _c("KHR", "116", 2, "Cambodian riel"),
        _c("VND", "704", 0, "Vietnamese dong"),
        _c("MYR", "458", 2, "Malaysian ringgit"),
        _c("IDR", "360", 2, "Indonesian rupiah"),
        _c("PHP", "608", 2, "Philippine peso"),
        _c("HKD", "344", 2, "Hong Kong dollar"),
        _c("KWD", "414", 3, "Kuwaiti dinar"),
    )
}
CURRENCIES_BY_NUMERIC: dict[str, Currency] = {c.numeric: c for c in CURRENCIES.values()}


class MoneyError(ValueError):
    """Text that is not a valid amount, or a currency Inzira does not know."""


def currency(code: str) -> Currency:
    found = CURRENCIES.get(code.upper())
    if found is None:
        raise MoneyError(f"unknown currency {code!r}: Inzira knows the ISO 4217 codes {', '.join(CURRENCIES)}")
    return found


def currency_by_numeric(numeric: str) -> Currency:
    found = CURRENCIES_BY_NUMERIC.get(numeric)
    if found is None:
        raise MoneyError(f"unknown ISO 4217 numeric currency code {numeric!r}")
    return found


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount of one currency, in minor units (RWF has none: 1 RWF = 1 minor unit)."""

    minor: int
    currency: Currency

    def __str__(self) -> str:
        return format_minor(self.minor, self.currency.code)


_AMOUNT_RE = re.compile(
    r"^\s*(?:(?P<pre>[A-Za-z]{3})\s*)?(?P<num>[0-9][0-9,_ ]*(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<post>[A-Za-z]{3})?\s*$"
)


def parse_decimal_minor(text: str, code: str) -> int:
    """Parse a plain decimal string ("200", "200.5", "15,000") into minor units of ``code``.

    Refuses more decimals than the currency has: "0.001 EUR" is an error, never rounded.
    """
    cur = currency(code)
    if len(text) > AMOUNT_CHARS_MAX:
        raise MoneyError(f"{text[:24]!r}... is not an amount: longer than {AMOUNT_CHARS_MAX} characters")
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if not re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", cleaned):
        raise MoneyError(f"{text!r} is not an amount: use digits with an optional decimal point")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise MoneyError(f"{text!r} is not an amount") from exc
    scaled = value.scaleb(cur.exponent)
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"{text!r} has more decimals than {cur.code} allows ({cur.exponent})")
    minor = int(scaled)
    if minor > AMOUNT_MINOR_MAX:
        raise MoneyError(f"{text.strip()} {cur.code} is too large: at most {format_minor(AMOUNT_MINOR_MAX, cur.code)}")
    return minor


def parse_amount(text: str, default_currency: str | None = None) -> Amount:
    """Parse "200 EUR", "EUR 200.00", "15,000 RWF" (or "15000" with a default currency)."""
    match = _AMOUNT_RE.match(text)
    if not match or (match["pre"] and match["post"]):
        raise MoneyError(f"{text!r} is not an amount: write it like '200.00 EUR' or '15,000 RWF'")
    code = match["pre"] or match["post"] or default_currency
    if code is None:
        raise MoneyError(f"{text!r} has no currency: write it like '200.00 EUR'")
    cur = currency(code)
    return Amount(parse_decimal_minor(match["num"], cur.code), cur)


def format_decimal(minor: int, code: str, *, grouping: bool = True) -> str:
    """Minor units as a decimal string with the currency's exponent: 20000 EUR -> "200.00"."""
    return _decimal_text(minor, currency(code), grouping)


def _decimal_text(minor: int, cur: Currency, grouping: bool) -> str:
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**cur.exponent)
    whole_text = f"{whole:,}" if grouping else str(whole)
    if cur.exponent == 0:
        return f"{sign}{whole_text}"
    return f"{sign}{whole_text}.{frac:0{cur.exponent}d}"


def format_minor(minor: int, code: str) -> str:
    """Minor units for people: 15000 RWF -> "15,000 RWF", 20000 EUR -> "200.00 EUR"."""
    cur = currency(code)
    return f"{_decimal_text(minor, cur, True)} {cur.code}"


def money_text(amount_minor: int, code: str) -> str:
    """``format_minor`` for views that must show something even for a currency Inzira does not know."""
    try:
        return format_minor(amount_minor, code)
    except MoneyError:
        return f"{amount_minor} (minor units of {code})"
