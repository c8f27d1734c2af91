"""Mid-market reference rates, exact: Decimal Rwandan francs per one unit of each currency.

A rate table is data (a JSON file in production, fed from a reference source); the demo ships a fixed one.
Cross rates go through RWF: EUR->CNY = (RWF per EUR) / (RWF per CNY), computed exactly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from inzira.money import currency

RATES_FILE_BYTES_MAX = 64 * 1024
PIVOT = "RWF"
# A currency worth 10**18 RWF or 10**-18 of one is a typo: past them a cross rate leaves Decimal's range.
RWF_PER_UNIT_MAX = Decimal(10) ** 18
RWF_PER_UNIT_MIN = 1 / RWF_PER_UNIT_MAX

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


@dataclass(frozen=True)
class RateTable:
    rwf_per_unit: dict[str, Decimal] = field(default_factory=dict)
    as_of: str = "demo"

    @classmethod
    def from_mapping(cls, rates: dict[str, str], as_of: str = "demo") -> "RateTable":
        table: dict[str, Decimal] = {}
        for code, text in rates.items():
            currency(code)  # refuse unknown currencies early
            try:
                value = Decimal(text)
            except (InvalidOperation, TypeError) as exc:
                raise RateError(f"rate for {code} is not a decimal number: {text!r}") from exc
            if not value.is_finite() or not RWF_PER_UNIT_MIN <= value <= RWF_PER_UNIT_MAX:
                raise RateError(f"rate for {code} must be between 1e-18 and 1e18 RWF")
            table[code] = value
        if table.get(PIVOT) != Decimal(1):
            raise RateError("the rate table must hold RWF = 1")
        return cls(table, as_of)

    @classmethod
    def demo(cls) -> "RateTable":
        return cls.from_mapping(DEMO_RWF_PER_UNIT)

    @classmethod
    def load(cls, path: Path) -> "RateTable":
        data = path.read_bytes()
        if len(data) > RATES_FILE_BYTES_MAX:
            raise RateError(f"{path} is too large for a rate table")
        try:
            doc = json.loads(data)
        except ValueError as exc:
            raise RateError(f"{path} is not JSON: {exc}") from None
        rates = doc.get("rwf_per_unit") if isinstance(doc, dict) else None
        if not isinstance(rates, dict):
            raise RateError(f'{path}: a JSON object whose rwf_per_unit maps currency codes to RWF per unit, such as '
                            f'{{"rwf_per_unit": {{"RWF": "1", "EUR": "1585.40"}}, "as_of": "2026-12-01"}}')
        if not isinstance(doc.get("as_of", ""), str):
            raise RateError(f"{path}: as_of must be a string")
        return cls.from_mapping({k: str(v) for k, v in rates.items()}, doc.get("as_of", ""))

    def mid(self, base: str, quote: str) -> Decimal:
        """Units of ``quote`` per one unit of ``base`` at the mid-market reference."""
        try:
            return self.rwf_per_unit[base] / self.rwf_per_unit[quote]
        except KeyError as exc:
            raise RateError(f"no reference rate for {exc.args[0]}") from None
