"""Fee schedules: a fixed part plus basis points of an amount, always rounded up to the minor unit.

The sending FSP's fee is charged to its customer on top of the amount sent, in the source currency; the
receiving FSP's fee is taken out of what the FX provider delivers in RWF (Mojaloop's payee FSP fee):
gross delivered = amount received + receiving fee.
"""

from __future__ import annotations

from dataclasses import dataclass

BPS_DENOMINATOR = 10_000


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    fixed_minor: int = 0
    bps: int = 0  # of the amount the fee is charged on

    def __post_init__(self) -> None:
        if self.fixed_minor < 0 or not 0 <= self.bps < BPS_DENOMINATOR:
            raise ValueError("a fee is a non-negative fixed part and 0..9999 basis points")

    def on(self, amount_minor: int) -> int:
        """The fee on ``amount_minor``: fixed + ceil(amount * bps / 10000)."""
        return self.fixed_minor + -(-amount_minor * self.bps // BPS_DENOMINATOR)

    def net_of_fee(self, gross_minor: int) -> tuple[int, int]:
        """Split what is delivered into (amount received, fee), amount + fee == gross: the fee is the
        schedule's fee on the largest amount that fits with its fee, and a unit left over by rounding goes
        to the receiver. The amount is <= 0 when the gross does not cover the fee (the caller refuses it)."""
        amount = (gross_minor - self.fixed_minor) * BPS_DENOMINATOR // (BPS_DENOMINATOR + self.bps)
        fee = self.on(amount)
        return gross_minor - fee, fee


# Demo fee schedules, by member and currency (fictional, of the order the market charges).
DEMO_SENDING_FEES: dict[str, dict[str, FeeSchedule]] = {
    "eurosend": {"EUR": FeeSchedule(1_99, 50), "GBP": FeeSchedule(1_99, 50)},
    "silkpay": {"CNY": FeeSchedule(15_00, 50), "USD": FeeSchedule(1_99, 50)},
}
DEMO_RECEIVING_FEES: dict[str, FeeSchedule] = {"mobimo": FeeSchedule(300, 0), "ubumwe": FeeSchedule(500, 25)}
