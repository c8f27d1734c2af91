"""Mid-market reference rates, exact: Decimal Rwandan francs per one unit of each currency.

A rate table is data (a JSON file in production, fed from a reference source); the demo ships a fixed one.
Cross rates go through RWF: EUR->CNY = (RWF per EUR) / (RWF per CNY), computed exactly. Every table is dated:
``as_of`` is the time the reference source priced it (RFC 3339 with a UTC offset), so the desk can refuse to
quote from rates the market has left (``inzira.fx.rate_source``).

    {"as_of": "2026-12-07T08:00:00Z", "rwf_per_unit": {"RWF": "1", "EUR": "1585.40", ...}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path

from inzira.json_files import read_json
from inzira.money import MoneyError, currency

RATES_FILE_BYTES_MAX = 64 * 1024
PIVOT = "RWF"
# A currency worth 10**18 RWF or 10**-18 of one is a typo: past them a cross rate leaves Decimal's range.
RWF_PER_UNIT_MAX = Decimal(10) ** 18
RWF_PER_UNIT_MIN = 1 / RWF_PER_UNIT_MAX
# A table may be dated this far ahead of the desk's clock (the two clocks' skew), no further.
AS_OF_AHEAD_MS_MAX = 5 * 60_000
AS_OF_EXAMPLE = "2026-12-07T08:00:00Z"
_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
                      r"([Zz]|[+-][0-9]{2}:[0-9]{2})")  # ASCII digits only: \d takes any script's
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)

# Demo reference rates (RWF per unit), fictional but of the right order of magnitude for late 2026.
DEMO_RWF_PER_UNIT: dict[str, str] = {
    "RWF": "1",
    "EUR": "1585.40",
    "USD": "1452.75",
    "CNY": "201.30",
    "GBP": "1842.10",
    "AED": "395.55",
    "KES": "11.24",
    "UGX": "0.3925",
    "TZS": "0.5480",
    "ZAR": "80.65",
}


class RateError(ValueError):
    """No reference rate for a currency, or a rate table that breaks a rule."""


def parse_as_of(text: object) -> int:
    """Milliseconds since 1970 of an RFC 3339 time with a UTC offset ("2026-12-07T08:00:00Z", "...+02:00")."""
    if not isinstance(text, str) or not _RFC3339.fullmatch(text):
        shown = repr(text)[:40] if isinstance(text, str) else "missing" if text is None else "a JSON " + (
            "list" if isinstance(text, list) else "object" if isinstance(text, dict) else "number or boolean")
        raise RateError(f'as_of must be the time the rates were priced, in RFC 3339 with a UTC offset, such as '
                        f'"{AS_OF_EXAMPLE}", not {shown}')
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError as exc:
        raise RateError(f"as_of {text!r} is not a real time: {exc}") from None
    return (moment - _EPOCH) // _MS


def time_text(ms: int) -> str:
    """``ms`` since 1970 as RFC 3339 in UTC, to the second."""
    return (_EPOCH + timedelta(seconds=ms // 1000)).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class RateTable:
    rwf_per_unit: dict[str, Decimal] = field(default_factory=dict)
    as_of_ms: int = 0  # when the reference source priced these rates (ms since 1970)
    demo: bool = False  # the demo's fictional rates, stamped by the desk itself (``inzira.fx.rate_source``)

    @property
    def as_of(self) -> str:
        """The rates' date as disclosed to the customer with every quote."""
        return f"{time_text(self.as_of_ms)} (demo rates)" if self.demo else time_text(self.as_of_ms)

    def stamped(self, as_of_ms: int) -> "RateTable":
        return RateTable(self.rwf_per_unit, as_of_ms, self.demo)

    @classmethod
    def from_mapping(cls, rates: dict[str, str], as_of_ms: int, demo: bool = False) -> "RateTable":
        table: dict[str, Decimal] = {}
        for code, text in rates.items():
            try:
                currency(code)  # refuse unknown currencies early
            except MoneyError as exc:
                raise RateError(str(exc)) from None  # named with its file by ``load``
            try:
                value = Decimal(text)
            except (InvalidOperation, TypeError) as exc:
                raise RateError(f"rate for {code} is not a decimal number: {text!r}") from exc
            if not value.is_finite() or not RWF_PER_UNIT_MIN <= value <= RWF_PER_UNIT_MAX:
                raise RateError(f"rate for {code} must be between 1e-18 and 1e18 RWF")
            table[code] = value
        if table.get(PIVOT) != Decimal(1):
            raise RateError("the rate table must hold RWF = 1")
        return cls(table, as_of_ms, demo)

    @classmethod
    def demo_at(cls, now_ms: int) -> "RateTable":
        """The demo's fixed rates, stamped ``now_ms``: they are fictional, so no source dates them."""
        return cls.from_mapping(DEMO_RWF_PER_UNIT, now_ms - now_ms % 1000, demo=True)

    @classmethod
    def load(cls, path: Path, now_ms: int) -> "RateTable":
        """The table in ``path``; RateError naming the field for a file that is not one, or is dated ahead of
        ``now_ms`` by more than the clocks' skew."""
        try:
            doc = read_json(path, RATES_FILE_BYTES_MAX)
        except ValueError as exc:
            raise RateError(str(exc)) from None
        rates = doc.get("rwf_per_unit") if isinstance(doc, dict) else None
        if not isinstance(rates, dict):
            raise RateError(f'{path}: a JSON object whose rwf_per_unit maps currency codes to RWF per unit, such as '
                            f'{{"rwf_per_unit": {{"RWF": "1", "EUR": "1585.40"}}, "as_of": "{AS_OF_EXAMPLE}"}}')
        try:
            as_of_ms = parse_as_of(doc.get("as_of"))
        except RateError as exc:
            raise RateError(f"{path}: {exc}") from None
        if as_of_ms > now_ms + AS_OF_AHEAD_MS_MAX:
            raise RateError(f"{path}: as_of {doc['as_of']} is {(as_of_ms - now_ms) // 60_000} min ahead of this "
                            f"desk's clock ({time_text(now_ms)}): rates are not priced in the future")
        try:
            return cls.from_mapping({k: str(v) for k, v in rates.items()}, as_of_ms)
        except RateError as exc:
            raise RateError(f"{path}: {exc}") from None

    def mid(self, base: str, quote: str) -> Decimal:
        """Units of ``quote`` per one unit of ``base`` at the mid-market reference."""
        try:
            return self.rwf_per_unit[base] / self.rwf_per_unit[quote]
        except KeyError as exc:
            raise RateError(f"no reference rate for {exc.args[0]}") from None
