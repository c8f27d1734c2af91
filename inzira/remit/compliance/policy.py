"""The sending FSP's compliance policy: amount limits per currency, velocity, screening thresholds.

A plain frozen record with defaults, so a deployment can load it from its configuration and every
decision can record the policy it was taken under. Amounts are integers of minor units of the currency
they are listed under (EUR 1,000.00 is 100000).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from inzira.money import AMOUNT_MINOR_MAX, currency
from inzira.remit.compliance.screening import ScreeningThresholds

DAY_MS = 24 * 60 * 60 * 1000
MINUTE_MS = 60 * 1000


@dataclass(frozen=True, slots=True)
class CurrencyLimits:
    """The most one sender may send in one currency: in one transfer, and over a rolling day."""

    per_transfer_minor: int
    daily_minor: int

    def __post_init__(self) -> None:
        if not 0 < self.per_transfer_minor <= self.daily_minor <= AMOUNT_MINOR_MAX:
            raise ValueError("limits need 0 < per_transfer_minor <= daily_minor")


# Round figures of the same order in each sending currency (about EUR 1,000 a transfer, 3,000 a day).
DEFAULT_LIMITS: Mapping[str, CurrencyLimits] = MappingProxyType(
    {
        "EUR": CurrencyLimits(1_000_00, 3_000_00),
        "USD": CurrencyLimits(1_000_00, 3_000_00),
        "GBP": CurrencyLimits(1_000_00, 3_000_00),
        "CHF": CurrencyLimits(1_000_00, 3_000_00),
        "CAD": CurrencyLimits(1_500_00, 4_500_00),
        "CNY": CurrencyLimits(8_000_00, 24_000_00),
        "AED": CurrencyLimits(4_000_00, 12_000_00),
        "KES": CurrencyLimits(150_000_00, 450_000_00),
        "UGX": CurrencyLimits(4_000_000, 12_000_000),
        "RWF": CurrencyLimits(1_500_000, 4_500_000),
    }
)


@dataclass(frozen=True, slots=True)
class CompliancePolicy:
    limits: Mapping[str, CurrencyLimits] = field(default_factory=lambda: DEFAULT_LIMITS)
    daily_window_ms: int = DAY_MS
    # Velocity: at most this many transfers by one sender within the window; the next one is held.
    velocity_transfers_max: int = 5
    velocity_window_ms: int = 10 * MINUTE_MS
    thresholds: ScreeningThresholds = field(default_factory=ScreeningThresholds)
    # The caller passes the sender's recent history; more records than this is a caller's mistake.
    history_records_max: int = 10_000

    def __post_init__(self) -> None:
        for code in self.limits:
            if currency(code).code != code:
                raise ValueError(f"limits are keyed by upper-case ISO 4217 codes, got {code!r}")
        if self.daily_window_ms <= 0 or self.velocity_window_ms <= 0:
            raise ValueError("windows must be positive")
        if self.velocity_transfers_max <= 0 or self.history_records_max <= 0:
            raise ValueError("velocity_transfers_max and history_records_max must be positive")
        # A private copy: the caller's dict changing later must not change a policy already in use.
        object.__setattr__(self, "limits", MappingProxyType(dict(self.limits)))
