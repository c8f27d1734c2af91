"""Asking the FX provider's quote service for a firm quote, and checking what comes back before using it.

The answer is trusted for nothing: the signed quote must verify under a key the ledger state gives the FX
provider (a member with the fx_provider role), be for this chain and for the member asking, bind exactly
the currencies and the amount asked, expire neither already nor later than asked, carry a rate of six decimals
at most below a mid rate of at most 10**18 that gives exactly the other amount (rounded the desk's way: the amount
delivered down, the amount to pay up), and every disclosed number (rate, amounts, mid rate, margins) must
agree with the signed quote. Anything else is refused with
an ``HttpProblem`` (502, code 3100), so a wrong or forged quote never reaches a customer or the ledger; the
service's own refusals pass on as it stated them, its failures as 502, and no answer as 503 (code 2003). A desk
whose reference rates are too old passes on as 503 with its code (2040): the provider is up, but cannot price
until it publishes fresh rates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from inzira.api.codes import ApiCode
from inzira.crypto import verify
from inzira.fx.desk import QUOTE_TTL_MS_MAX, RATE_DECIMALS, RATE_MAX, FirmQuote, bought_minor, cost_minor, margins
from inzira.fx.service import FX_PREFIX
from inzira.fx.wire import SIGNED_QUOTE_CHARS_MAX, unb64
from inzira.http import AsyncHttpClient, HttpProblem
from inzira.http.problem import UNAVAILABLE
from inzira.ledger.encoding import CanonicalDecoder, DecodeError, ValidationError
from inzira.ledger.quotes import FX_ROLE
from inzira.ledger.tx import SignedQuote, decode_quote, quote_hash
from inzira.node.node import Node
from inzira.node.signer import wall_clock_ms

TIMEOUT_MS = 10_000
ANSWER_BYTES_MAX = 16 * 1024
CLOCK_SKEW_MS = 1_000  # how far the FX desk's clock may run ahead of ours
_decode_signed_quote = CanonicalDecoder(SignedQuote)
RATE_EXPONENT = RATE_DECIMALS.as_tuple().exponent


def _bad(detail: str) -> HttpProblem:
    return HttpProblem(502, 3100, f"the FX provider's answer does not check out: {detail}")


class FxClient:
    def __init__(self, node: Node, fx_member: str, credentials: Mapping[str, str], base_url: str = "",
                 clock_ms: Callable[[], int] = wall_clock_ms, timeout_ms: int = TIMEOUT_MS) -> None:
        """``credentials``: member -> the client token the FX provider issued that member."""
        self.node = node
        self.fx_member = fx_member
        self._credentials = dict(credentials)
        self.base_url = base_url.rstrip("/")
        self.clock_ms = clock_ms
        self._http = AsyncHttpClient(self.base_url, timeout_ms=timeout_ms, answer_bytes_max=ANSWER_BYTES_MAX)

    def connect(self, base_url: str) -> None:
        """Where the FX provider's quote service answers (known once a demo's server is up)."""
        self.base_url = base_url.rstrip("/")
        self._http.connect(self.base_url)

    async def aclose(self) -> None:
        """Close this event loop's connections (at the service's shutdown)."""
        await self._http.aclose()

    async def quote(self, for_member: str, source: str, target: str, *, ttl_ms: int,
                    source_amount_minor: int | None = None, target_amount_minor: int | None = None,
                    expires_by_ms: int | None = None) -> FirmQuote:
        token = self._credentials.get(for_member)
        if token is None or not self.base_url:
            raise HttpProblem(503, UNAVAILABLE, f"{for_member} has no client of the FX provider {self.fx_member}",
                              answered=False)
        body: dict[str, Any] = {"for_member": for_member, "source_currency": source, "target_currency": target,
                                "ttl_ms": ttl_ms}
        if source_amount_minor is not None:
            body["source_amount_minor"] = source_amount_minor
        if target_amount_minor is not None:
            body["target_amount_minor"] = target_amount_minor
        if expires_by_ms is not None:
            body["expires_by_ms"] = expires_by_ms
        asked_ms = self.clock_ms()
        try:
            doc = await self._http.call("POST", f"{FX_PREFIX}/fxQuotes", json=body,
                                        headers={"Authorization": f"Bearer {token}"})
        except HttpProblem as exc:
            if (exc.status, exc.code) == (503, ApiCode.RATES_STALE):
                raise HttpProblem(503, exc.code, f"the FX provider: {exc.detail}", title=exc.title) from None
            raise exc.relayed("the FX provider") from None
        firm = self.check(doc, for_member, source, target, source_amount_minor, target_amount_minor,
                          asked_ms, ttl_ms, answered_ms=self.clock_ms())
        if expires_by_ms is not None and firm.expires_at_ms > expires_by_ms:
            raise _bad("the quote outlives the expiry asked for")
        return firm

    def check(self, doc: Any, for_member: str, source: str, target: str, source_amount_minor: int | None,
              target_amount_minor: int | None, asked_ms: int, ttl_ms: int, *,
              answered_ms: int | None = None) -> FirmQuote:
        """The firm quote in ``doc`` if it is exactly what was asked, signed by the FX provider. Its expiry is
        after ``asked_ms`` and at most ``ttl_ms`` (and a second of clock skew) after ``answered_ms``, when the answer
        came (default: ``asked_ms``): a desk that answers late, queued behind others, quotes from its own later
        now, and may not be refused for it."""
        if not isinstance(doc, dict):
            raise _bad("not a JSON object")
        text = doc.get("signed_quote")
        if not isinstance(text, str) or not 0 < len(text) <= SIGNED_QUOTE_CHARS_MAX:
            raise _bad("no signed quote")
        try:
            signed = _decode_signed_quote(unb64(text))
            quote = decode_quote(signed.body)
        except (ValueError, DecodeError, ValidationError):
            raise _bad("the signed quote is malformed") from None
        fx = self.node.state.members.get(self.fx_member)
        if fx is None or FX_ROLE not in fx.roles or signed.sig.key not in fx.keys:
            raise _bad(f"not signed with a key of {self.fx_member}")
        if not verify(signed.sig.key, quote_hash(signed.body), signed.sig.sig):
            raise _bad("the FX provider's signature does not verify")
        if quote.chain_id != self.node.chain_id or quote.fx != self.fx_member or quote.for_member != for_member:
            raise _bad("the quote is for another chain, provider or member")
        if (quote.buy_currency, quote.sell_currency) != (source, target):
            raise _bad("the quote exchanges other currencies")
        if source_amount_minor not in (None, quote.buy_amount_minor) or \
                target_amount_minor not in (None, quote.sell_amount_minor):
            raise _bad("the quote binds another amount")
        latest_ms = asked_ms if answered_ms is None else max(asked_ms, answered_ms)
        if not asked_ms < quote.expires_at_ms <= latest_ms + min(ttl_ms, QUOTE_TTL_MS_MAX) + CLOCK_SKEW_MS:
            raise _bad("the quote's expiry is not within what was asked")
        try:
            mid, rate = Decimal(str(doc["mid_rate"])), Decimal(quote.rate)
            shown = {k: doc[k] for k in ("quote_id", "fx", "for_member", "source_currency", "source_amount_minor",
                                         "target_currency", "target_amount_minor", "rate", "expires_at_ms",
                                         "margin_percent", "fx_margin_minor")}
        except (KeyError, InvalidOperation, TypeError):
            raise _bad("a disclosure field is missing") from None
        if not (mid.is_finite() and rate.is_finite() and 0 < rate <= mid <= RATE_MAX):
            raise _bad("the rates disclosed are not a spread below the mid rate")
        if rate.as_tuple().exponent < RATE_EXPONENT:  # type: ignore[operator]
            # The desk cuts a rate to six decimals; a finer one (1e-99999) would cost the margins' arithmetic
            # an integer of 99,999 digits, or overflow it.
            raise _bad("the rate has more than six decimals")
        # The rate shown must be the one the amounts were priced at, rounded the desk's way (the amount delivered
        # down, the amount to pay up): signed amounts worse than the signed rate would be a price not disclosed.
        if source_amount_minor is not None:
            priced = quote.sell_amount_minor == bought_minor(quote.buy_amount_minor, source, target, rate)
        else:
            priced = quote.buy_amount_minor == cost_minor(quote.sell_amount_minor, source, target, rate)
        if not priced:
            raise _bad("the amounts are not what the signed rate gives")
        percent, margin_minor = margins(mid, rate, source, quote.buy_amount_minor, target, quote.sell_amount_minor)
        expected = {"quote_id": quote.quote_id, "fx": quote.fx, "for_member": quote.for_member,
                    "source_currency": source, "source_amount_minor": quote.buy_amount_minor,
                    "target_currency": target, "target_amount_minor": quote.sell_amount_minor, "rate": quote.rate,
                    "expires_at_ms": quote.expires_at_ms, "margin_percent": str(percent),
                    "fx_margin_minor": margin_minor}
        if shown != expected:
            raise _bad("the disclosed figures differ from the signed quote")
        return FirmQuote(quote.quote_id, quote.fx, quote.for_member, source, quote.buy_amount_minor, target,
                         quote.sell_amount_minor, mid, rate, percent, margin_minor, quote.expires_at_ms, signed,
                         str(doc.get("rates_as_of", ""))[:64])
