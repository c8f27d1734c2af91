"""What the customer is shown before sending: every amount, every fee, the rate and the total cost.

Total cost follows the World Bank's Remittance Prices Worldwide method: all fees plus the FX margin, as a
percentage of the amount sent. The receiving FSP's fee is in RWF; it is counted in the source currency at
the mid-market rate (what it would cost at the reference rate), rounded half up to the minor unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from inzira.money import currency
from inzira.remit.condition import b64url
from inzira.remit.money_view import money
from inzira.remit.records import QuoteTerms

PERCENT_PLACES = Decimal("0.01")


def _in_source(target_minor: int, terms: QuoteTerms) -> int:
    """A target-currency amount worth of source minor units at the mid rate."""
    target_units = Decimal(target_minor).scaleb(-currency(terms.target_currency).exponent)
    source_units = target_units / Decimal(terms.mid_rate)
    return int(source_units.scaleb(currency(terms.source_currency).exponent).to_integral_value(ROUND_HALF_UP))


def _percent_of(part_minor: int, whole_minor: int) -> str:
    share = Decimal(part_minor) * 100 / Decimal(whole_minor)
    return str(share.quantize(PERCENT_PLACES, ROUND_HALF_UP))


def disclosure(terms: QuoteTerms, receiving_fsp_name: str, transfer_ttl_ms: int) -> dict[str, Any]:
    src, dst = terms.source_currency, terms.target_currency
    fee_in_source = _in_source(terms.receiving_fee_minor, terms)
    total_minor = terms.sending_fee_minor + fee_in_source + terms.fx_margin_minor
    return {
        "quote_id": terms.quote_id,
        "created_at_ms": terms.created_at_ms,
        "expires_at_ms": terms.expires_at_ms,
        "sending_fsp": terms.sending_fsp,
        "receiving_fsp": terms.receiving_fsp,
        "receiving_fsp_name": receiving_fsp_name,
        "fx_provider": terms.fx_member,
        "receiver": {"msisdn": terms.msisdn, "masked_name": terms.masked_name},
        "amount_sent": money(terms.amount_sent_minor, src),
        "sending_fee": money(terms.sending_fee_minor, src),
        "total_to_pay": money(terms.amount_sent_minor + terms.sending_fee_minor, src),
        "exchange_rate": {
            "rate": terms.rate,
            "mid_market_rate": terms.mid_rate,
            "margin_percent": terms.margin_percent,
            "fx_margin": money(terms.fx_margin_minor, src),
            "rates_as_of": terms.rates_as_of,
            "text": f"1 {src} = {terms.rate} {dst}",
        },
        "receiving_fee": money(terms.receiving_fee_minor, dst),
        "receiving_fee_in_source": money(fee_in_source, src),
        "amount_delivered_by_fx": money(terms.gross_target_minor, dst),
        "amount_received": money(terms.amount_received_minor, dst),
        "total_cost": money(total_minor, src),
        "total_cost_percent": _percent_of(total_minor, terms.amount_sent_minor),
        "availability": {
            "text": "paid into the receiver's wallet within seconds of sending; if it cannot be paid, "
                    f"the money returns within {transfer_ttl_ms // 1000} s",
            "deadline_ms": transfer_ttl_ms,
        },
        "condition": b64url(terms.condition),
    }
