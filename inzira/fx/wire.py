"""A firm quote on the wire (the FX quote service's answer), in the spirit of Mojaloop's ``/fxQuotes``.

    {"quote_id", "fx", "for_member", "source_currency", "source_amount_minor", "target_currency",
     "target_amount_minor", "mid_rate", "rate", "margin_percent", "fx_margin_minor", "expires_at_ms",
     "rates_as_of", "signed_quote": <base64url of the canonical SignedQuote>}

Every number the customer is shown is also in the signed quote or computed from it; ``inzira.fx.client``
checks that they agree before anyone uses the quote.
"""

from __future__ import annotations

import base64
from typing import Any

from inzira.fx.desk import FirmQuote
from inzira.ledger.encoding import encode

SIGNED_QUOTE_CHARS_MAX = 2_048


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def quote_json(firm: FirmQuote) -> dict[str, Any]:
    return {"quote_id": firm.quote_id, "fx": firm.fx, "for_member": firm.for_member,
            "source_currency": firm.source_currency, "source_amount_minor": firm.source_amount_minor,
            "target_currency": firm.target_currency, "target_amount_minor": firm.target_amount_minor,
            "mid_rate": str(firm.mid_rate), "rate": str(firm.rate), "margin_percent": str(firm.margin_percent),
            "fx_margin_minor": firm.fx_margin_minor, "expires_at_ms": firm.expires_at_ms,
            "rates_as_of": firm.rates_as_of, "signed_quote": b64(encode(firm.signed))}
