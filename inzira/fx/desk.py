"""The FX provider's desk: firm quotes with a disclosed spread, signed so the ledger accepts them.

The desk runs in the FX provider's own deployment and signs with the FX provider's port only
(``inzira.fx.service`` serves it over HTTP; others reach it with ``inzira.fx.client``, which checks what it gets).

Rounding is explicit and always the same: the customer rate is the mid rate less the spread, cut to six
decimals; an amount delivered is rounded down to the target's minor unit, an amount to pay is rounded up to
the source's minor unit, both computed exactly in integers (Decimal's 28 digits would round an amount near
2**63 before the floor or ceiling, sometimes the customer's way). The ledger never sees a rate, only the two
integer amounts the quote binds. The desk quotes only from fresh rates (``inzira.fx.rate_source``): past their
maximum age it refuses with ``RatesStale``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Protocol

from inzira.fx.rate_source import RateSource
from inzira.fx.rates import RateTable
from inzira.ledger.tx import Quote, SignedQuote
from inzira.money import AMOUNT_MINOR_MAX, currency

RATE_DECIMALS = Decimal("0.000001")
RATE_MAX = Decimal(10) ** 18  # no currency is worth 10**18 units of another: a mid rate above is an error
BPS = Decimal(10_000)
DEFAULT_SPREAD_BPS = 150
QUOTE_TTL_MS = 60_000
QUOTE_TTL_MS_MAX = 15 * 60_000


class QuoteError(ValueError):
    """A quote that cannot be made (unknown currency, zero or absurd amount); the message says why."""


@dataclass(frozen=True)
class FirmQuote:
    quote_id: str
    fx: str
    for_member: str
    source_currency: str  # what the FX provider receives (the sender's currency)
    source_amount_minor: int
    target_currency: str  # what the FX provider delivers
    target_amount_minor: int
    mid_rate: Decimal  # target units per source unit at the reference
    rate: Decimal  # target units per source unit given to the customer
    margin_percent: Decimal  # (mid - rate) / mid, in percent
    fx_margin_minor: int  # what the spread costs the customer, in source minor units
    expires_at_ms: int
    signed: SignedQuote
    rates_as_of: str = ""  # the reference rates the mid rate is from, as the FX provider names them


class QuoteSigner(Protocol):
    """The FX provider's own port (``inzira.node.custody.MemberPort``): it signs its own quotes only."""

    member: str
    chain_id: bytes

    def sign_quote(self, quote: Quote) -> SignedQuote: ...


def _units(minor: int, code: str) -> Decimal:
    return Decimal(minor).scaleb(-currency(code).exponent)


def _minor(units: Decimal, code: str, rounding: str) -> int:
    return int(units.scaleb(currency(code).exponent).to_integral_value(rounding=rounding))


def bought_minor(source_minor: int, source: str, target: str, rate: Decimal) -> int:
    """Target minor units that ``source_minor`` buys at ``rate``, rounded down, exactly."""
    num, den = rate.as_integer_ratio()
    return source_minor * num * 10 ** currency(target).exponent // (den * 10 ** currency(source).exponent)


def cost_minor(target_minor: int, source: str, target: str, rate: Decimal) -> int:
    """Source minor units that ``target_minor`` costs at ``rate`` (positive), rounded up, exactly."""
    num, den = rate.as_integer_ratio()
    return -(-target_minor * den * 10 ** currency(source).exponent // (num * 10 ** currency(target).exponent))


def margins(mid: Decimal, rate: Decimal, source: str, source_minor: int, target: str,
            target_minor: int) -> tuple[Decimal, int]:
    """What the spread costs the customer: (percent of the mid rate, source minor units), as disclosed."""
    fair_source = _units(target_minor, target) / mid
    fx_margin_minor = _minor(_units(source_minor, source) - fair_source, source, ROUND_HALF_UP)
    margin_percent = ((mid - rate) / mid * 100).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return margin_percent, max(0, fx_margin_minor)


class FxDesk:
    def __init__(self, signer: QuoteSigner, rates: RateSource, spread_bps: int = DEFAULT_SPREAD_BPS,
                 pair_spread_bps: dict[tuple[str, str], int] | None = None):
        pair_spread_bps = dict(pair_spread_bps or {})
        if not all(0 <= bps < 10_000 for bps in (spread_bps, *pair_spread_bps.values())):
            raise ValueError("a spread is between 0 and 9999 basis points")  # a negative one quotes above the mid
        self.signer = signer
        self.chain_id = signer.chain_id
        self.fx_member = signer.member
        self.rates = rates
        self.spread_bps = spread_bps
        self.pair_spread_bps = pair_spread_bps

    def customer_rate(self, source: str, target: str, now_ms: int) -> tuple[Decimal, Decimal]:
        """(mid rate, customer rate): target units per source unit, from the rates in use at ``now_ms``."""
        return self._price(self.rates.table(now_ms), source, target)

    def _price(self, table: RateTable, source: str, target: str) -> tuple[Decimal, Decimal]:
        mid = table.mid(source, target)
        if mid > RATE_MAX:  # past it, the rate has more digits than Decimal's 28 and cannot be cut to six decimals
            raise QuoteError(f"no rate to quote from {source} to {target}: {mid:.6E} is past any real rate")
        spread = Decimal(self.pair_spread_bps.get((source, target), self.spread_bps)) / BPS
        return mid, (mid * (1 - spread)).quantize(RATE_DECIMALS, rounding=ROUND_DOWN)

    def quote(self, for_member: str, source: str, target: str, *, now_ms: int, source_amount_minor: int | None = None,
              target_amount_minor: int | None = None, ttl_ms: int = QUOTE_TTL_MS,
              expires_by_ms: int | None = None) -> FirmQuote:
        """A firm quote for one amount: either what is sent (source) or what must arrive (target); it expires
        after ``ttl_ms``, and no later than ``expires_by_ms`` when given (a bill's own expiry)."""
        if (source_amount_minor is None) == (target_amount_minor is None):
            raise QuoteError("give either the amount sent or the amount to be received, not both")
        if not 0 < ttl_ms <= QUOTE_TTL_MS_MAX:
            raise QuoteError(f"a quote lives between 1 ms and {QUOTE_TTL_MS_MAX} ms")
        if source == target:
            raise QuoteError("a quote exchanges two different currencies")
        table = self.rates.table(now_ms)
        mid, rate = self._price(table, source, target)
        if rate <= 0:
            raise QuoteError(f"no rate to quote from {source} to {target} in six decimals (mid rate {mid:.6E})")
        if source_amount_minor is not None:
            source_minor = source_amount_minor
            target_minor = bought_minor(source_minor, source, target, rate)
        else:
            target_minor = target_amount_minor  # type: ignore[assignment]
            source_minor = cost_minor(target_minor, source, target, rate)
        for name, value in (("amount sent", source_minor), ("amount received", target_minor)):
            if not 0 < value <= AMOUNT_MINOR_MAX:
                raise QuoteError(f"the {name} is out of range for a quote ({value} minor units)")
        margin_percent, fx_margin_minor = margins(mid, rate, source, source_minor, target, target_minor)
        quote = Quote(self.chain_id, uuid.uuid4().hex, self.fx_member, for_member, target, target_minor, source,
                      source_minor, str(rate), min(now_ms + ttl_ms, expires_by_ms or now_ms + ttl_ms))
        if quote.expires_at_ms <= now_ms:
            raise QuoteError("the quote would expire before it is made")
        return FirmQuote(quote.quote_id, self.fx_member, for_member, source, source_minor, target, target_minor, mid,
                         rate, margin_percent, fx_margin_minor, quote.expires_at_ms, self.signer.sign_quote(quote),
                         table.as_of)
