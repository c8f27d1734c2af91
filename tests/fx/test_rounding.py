"""Rounding at the desk is always the FX provider's way, exactly: what a quote delivers is never more than the amount
sent buys at the quoted rate, and what it asks is never less than the amount delivered costs, at every size up to
the largest amount, for currencies with 0, 2 and 3 decimals. Checked against exact fractions, not Decimal."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from inzira.fx.desk import FirmQuote, FxDesk, QuoteError
from inzira.fx.rate_source import RateSource
from inzira.fx.rates import RateTable
from inzira.ledger.tx import decode_quote
from inzira.money import AMOUNT_MINOR_MAX, currency
from inzira.node.custody import QuoteKey
from tests.fx.conftest import CHAIN_ID, FX_KEY, FX_MEMBER, T0_MS, desk

# KWD has 3 decimals, RWF, VND and JPY none: their cross rates are large, so an amount near 2**63 makes
# quotients of 30 significant digits, past Decimal's default precision (28).
RATES = RateTable.from_mapping({"RWF": "1", "KWD": "4712.345678", "VND": "0.0571", "JPY": "9.7", "EUR": "1585.40",
                                "UGX": "0.3925"}, T0_MS)
CASES_MAX = 3_000


def _exact_target(firm: FirmQuote) -> Fraction:
    """Target minor units the amount sent buys at the quoted rate, exactly."""
    units = Fraction(firm.source_amount_minor, 10 ** currency(firm.source_currency).exponent)
    return units * Fraction(firm.rate) * 10 ** currency(firm.target_currency).exponent


def _never_for_the_client(firm: FirmQuote) -> None:
    exact = _exact_target(firm)
    assert firm.target_amount_minor <= exact, firm  # never more delivered than paid for
    signed = decode_quote(firm.signed.body)
    assert (signed.buy_amount_minor, signed.sell_amount_minor) == (firm.source_amount_minor, firm.target_amount_minor)


def test_a_target_amount_near_the_largest_costs_what_the_rate_says() -> None:
    """82527.945323 VND per KWD: 8,999,999,961,432,230,804 VND is 109,053,968,643,079,613.000000000012... KWD
    thousandths, so it costs ...614; Decimal's 28 digits rounded the tail away and asked ...613."""
    firm = desk(RATES, spread_bps=0).quote("eurosend", "KWD", "VND", now_ms=T0_MS,
                                           target_amount_minor=8_999_999_961_432_230_804)
    assert str(firm.rate) == "82527.945323"
    assert firm.source_amount_minor == 109_053_968_643_079_614
    _never_for_the_client(firm)


@pytest.mark.parametrize("spread_bps", [0, 150, 9_999])
def test_no_quote_favours_the_client(spread_bps: int) -> None:
    rng = random.Random(spread_bps)
    the_desk = desk(RATES, spread_bps)
    codes = sorted(RATES.rwf_per_unit)
    made = 0
    for _ in range(CASES_MAX):
        source, target = rng.sample(codes, 2)
        amount = rng.choice([rng.randint(1, 1_000), rng.randint(1, 10**12), rng.randint(10**15, AMOUNT_MINOR_MAX),
                             AMOUNT_MINOR_MAX - rng.randint(0, 10**6)])
        by_target = rng.random() < 0.5
        try:
            firm = the_desk.quote("eurosend", source, target, now_ms=T0_MS,
                                  **({"target_amount_minor": amount} if by_target else {"source_amount_minor": amount}))
        except QuoteError:
            continue  # out of range either side: refused, not rounded
        made += 1
        _never_for_the_client(firm)
        if by_target:
            assert firm.target_amount_minor == amount
            # One minor unit less would not pay for it: the amount asked is the least that does.
            cheaper = Fraction(firm.source_amount_minor - 1, 10 ** currency(source).exponent)
            assert cheaper * Fraction(firm.rate) * 10 ** currency(target).exponent < amount
        else:
            assert firm.target_amount_minor == int(_exact_target(firm))  # floor: the most it buys, no less
    assert made > CASES_MAX // 3


def test_an_amount_that_buys_nothing_or_overflows_is_refused() -> None:
    the_desk = desk(RATES)
    with pytest.raises(QuoteError, match="amount received"):  # 1 VND buys no KWD thousandth
        the_desk.quote("eurosend", "VND", "KWD", now_ms=T0_MS, source_amount_minor=1)
    with pytest.raises(QuoteError, match="amount received"):  # past 2**63 - 1 after conversion
        the_desk.quote("eurosend", "KWD", "VND", now_ms=T0_MS, source_amount_minor=AMOUNT_MINOR_MAX)
    with pytest.raises(QuoteError, match="amount sent"):
        the_desk.quote("eurosend", "VND", "KWD", now_ms=T0_MS, target_amount_minor=AMOUNT_MINOR_MAX)


@pytest.mark.parametrize("pair_bps", [-50, 10_000])
def test_a_spread_below_zero_or_of_the_whole_rate_is_refused_for_a_pair_too(pair_bps: int) -> None:
    """A negative spread for one pair quoted above the mid rate: every client of that pair paid less than the
    reference, and the remittance side's FX client refused every such quote."""
    with pytest.raises(ValueError, match="spread"):
        FxDesk(QuoteKey(FX_MEMBER, CHAIN_ID, FX_KEY), RateSource(RATES), 150, {("EUR", "RWF"): pair_bps})
