"""The remittance and QR services' side (``inzira.fx.client``): an answer from the FX provider, a member trusted for
nothing, is used only if it checks out. Crafted answers signed with the FX provider's real key are refused with
502 and code 3100, never an exception of another kind and never after a long computation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from inzira.demo.setup import create_demo_network, key_path
from inzira.fx.client import FxClient
from inzira.fx.desk import margins
from inzira.fx.wire import b64, quote_json, unb64
from inzira.http import HttpProblem
from inzira.ledger.encoding import encode
from inzira.ledger.tx import Quote, sign_quote
from inzira.node.embedded import Embedded
from inzira.node.keystore import load_key
from inzira.node.signer import wall_clock_ms

TTL_MS = 60_000


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Embedded, Path]]:
    folder = Path(tmp_path_factory.mktemp("fx-client"))
    create_demo_network(folder, wall_clock_ms() - 1_000)
    with Embedded(folder) as embedded:
        yield embedded, folder


def _answer(net: Embedded, folder: Path, now_ms: int, **changes: Any) -> dict[str, Any]:
    """A quote of 100.00 EUR for eurosend, signed with imari-fx's own key, its disclosure computed as the desk
    does from the (changed) signed figures and ``mid``."""
    mid = changes.pop("mid", None)
    quote = Quote(net.chain_id, "q-1", "imari-fx", "eurosend", "RWF", 155_000, "EUR", 100_00, "1550.000000",
                  now_ms + TTL_MS)
    quote = msgspec.structs.replace(quote, **changes)
    signed = sign_quote(quote, load_key(key_path(folder, "imari-fx")))
    mid_rate = Decimal(mid or "1585.40")
    try:
        percent, margin_minor = margins(mid_rate, Decimal(quote.rate), "EUR", quote.buy_amount_minor, "RWF",
                                        quote.sell_amount_minor)
    except ArithmeticError:  # figures no disclosure can be computed from: sent as they are
        percent, margin_minor = Decimal(0), 0
    return {"quote_id": quote.quote_id, "fx": quote.fx, "for_member": quote.for_member, "source_currency": "EUR",
            "source_amount_minor": quote.buy_amount_minor, "target_currency": "RWF",
            "target_amount_minor": quote.sell_amount_minor, "mid_rate": str(mid_rate), "rate": quote.rate,
            "margin_percent": str(percent), "fx_margin_minor": margin_minor, "expires_at_ms": quote.expires_at_ms,
            "rates_as_of": "demo", "signed_quote": b64(encode(signed))}


def _check(net: Embedded, doc: Any, now_ms: int):
    client = FxClient(net.node, "imari-fx", {})
    return client.check(doc, "eurosend", "EUR", "RWF", 100_00, None, now_ms, TTL_MS)


def test_a_genuine_answer_checks_out(net: tuple[Embedded, Path]) -> None:
    embedded, folder = net
    now_ms = wall_clock_ms()
    firm = _check(embedded, _answer(embedded, folder, now_ms), now_ms)
    assert (firm.source_amount_minor, firm.target_amount_minor) == (100_00, 155_000)


@pytest.mark.parametrize("rate, mid", [
    ("1e-99999", "1e-99998"),  # an amount of 10**99999 digits to compute: a second of the service's CPU
    ("1e-999999990", "1e-999999989"),  # past Decimal's exponent range: decimal.Overflow, a 500
    ("0.0000001", "0.0000002"),  # finer than the desk's six decimals
    ("1550", "1e999999999"),  # a mid rate past Decimal's range
    ("1550", "1e30"),
])
def test_a_rate_out_of_any_real_range_is_refused(net: tuple[Embedded, Path], rate: str, mid: str) -> None:
    embedded, folder = net
    now_ms = wall_clock_ms()
    doc = _answer(embedded, folder, now_ms, rate=rate, mid=mid)
    with pytest.raises(HttpProblem) as refused:
        _check(embedded, doc, now_ms)
    assert (refused.value.status, refused.value.code) == (502, 3100)


def _nested_past_the_depth(text: str) -> str:
    """The signed quote with one more item, 1,100 arrays deep: its decoder skipped it recursively (RecursionError)."""
    signed = unb64(text)
    return b64(bytes([signed[0] + 1]) + signed[1:] + b"\x91" * 1_100 + b"\x90")


@pytest.mark.parametrize("tamper", [
    lambda d: d.update(target_amount_minor=d["target_amount_minor"] + 1),
    lambda d: d.update(source_amount_minor=d["source_amount_minor"] - 1),
    lambda d: d.update(mid_rate="1549"),  # below the rate: a spread in the client's favour
    lambda d: d.update(margin_percent="0.0000"),
    lambda d: d.update(fx_margin_minor=0),
    lambda d: d.update(expires_at_ms=d["expires_at_ms"] - 1),
    lambda d: d.update(mid_rate=True),
    lambda d: d.update(mid_rate=[1]),
    lambda d: d.update(mid_rate="NaN"),
    lambda d: d.pop("rate"),
    lambda d: d.update(signed_quote=d["signed_quote"][:-4]),
    lambda d: d.update(signed_quote=None),
    lambda d: d.update(signed_quote=_nested_past_the_depth(d["signed_quote"])),
])
def test_disclosed_figures_that_differ_from_the_signed_quote_are_refused(net: tuple[Embedded, Path], tamper) -> None:
    embedded, folder = net
    now_ms = wall_clock_ms()
    doc = _answer(embedded, folder, now_ms)
    tamper(doc)
    with pytest.raises(HttpProblem) as refused:
        _check(embedded, doc, now_ms)
    assert (refused.value.status, refused.value.code) == (502, 3100)


@pytest.mark.parametrize("changes", [
    {"for_member": "silkpay"}, {"chain_id": b"\x00" * 32}, {"sell_currency": "USD"}, {"buy_currency": "USD"},
    {"buy_amount_minor": 99_99}, {"expires_at_ms": 0}, {"fx": "eurosend"},
])
def test_a_signed_quote_for_anything_else_is_refused(net: tuple[Embedded, Path], changes: dict) -> None:
    embedded, folder = net
    now_ms = wall_clock_ms()
    if changes.get("expires_at_ms") == 0:
        changes = {"expires_at_ms": now_ms + TTL_MS + 60_000}  # outlives what was asked
    with pytest.raises(HttpProblem) as refused:
        _check(embedded, _answer(embedded, folder, now_ms, **changes), now_ms)
    assert (refused.value.status, refused.value.code) == (502, 3100)


@pytest.mark.parametrize("changes, asked", [
    ({"sell_amount_minor": 150_000}, {"source": 100_00}),  # 100.00 EUR at 1550 buys 155,000 RWF, not 150,000
    ({"sell_amount_minor": 154_999}, {"source": 100_00}),  # one franc short of what the rate buys
    ({"buy_amount_minor": 100_01}, {"target": 155_000}),  # 155,000 RWF at 1550 cost 100.00 EUR, not 100.01
    ({"buy_amount_minor": 110_00}, {"target": 155_000}),
])
def test_amounts_the_signed_rate_does_not_give_are_refused(net: tuple[Embedded, Path], changes: dict,
                                                           asked: dict) -> None:
    """A hostile FX provider signs an honest-looking rate over amounts that take more from the customer: the
    customer would be shown 1550 RWF a euro and a margin of the mid rate less that, and be paid less."""
    embedded, folder = net
    now_ms = wall_clock_ms()
    doc = _answer(embedded, folder, now_ms, **changes)
    client = FxClient(embedded.node, "imari-fx", {})
    with pytest.raises(HttpProblem) as refused:
        client.check(doc, "eurosend", "EUR", "RWF", asked.get("source"), asked.get("target"), now_ms, TTL_MS)
    assert (refused.value.status, refused.value.code) == (502, 3100)
    assert "rate" in refused.value.detail


def test_amounts_the_signed_rate_gives_check_out_either_way_asked(net: tuple[Embedded, Path]) -> None:
    embedded, folder = net
    now_ms = wall_clock_ms()
    client = FxClient(embedded.node, "imari-fx", {})
    # Between currencies of 0 and 2 decimals at 0.000631 EUR a franc: 1,000 RWF buy 0.631 EUR, delivered as 0.63
    # (rounded down); 0.64 EUR cost 1,014.26 RWF, paid as 1,015 (rounded up): the provider's way, both.
    for sent, delivered, asked in ((1_000, 63, (1_000, None)), (1_015, 64, (None, 64))):
        doc = _answer(embedded, folder, now_ms, sell_currency="EUR", sell_amount_minor=delivered,
                      buy_currency="RWF", buy_amount_minor=sent, rate="0.000631")
        percent, margin = margins(Decimal("0.000640"), Decimal("0.000631"), "RWF", sent, "EUR", delivered)
        doc.update(source_currency="RWF", target_currency="EUR", mid_rate="0.000640", margin_percent=str(percent),
                   fx_margin_minor=margin)
        firm = client.check(doc, "eurosend", "RWF", "EUR", *asked, now_ms, TTL_MS)
        assert (firm.source_amount_minor, firm.target_amount_minor) == (sent, delivered)


@pytest.mark.parametrize("late_ms, extra_ms, ok", [
    (0, 1_000, True), (0, 1_001, False),  # a second of clock skew at most
    (5_000, 1_000, True), (5_000, 1_001, False),  # a desk answering 5 s late quotes from its own later now
])
def test_the_expiry_is_counted_from_when_the_answer_came(net: tuple[Embedded, Path], late_ms: int, extra_ms: int,
                                                        ok: bool) -> None:
    """A loaded desk answering late is not refused for its expiry; one signing for longer than asked is."""
    embedded, folder = net
    asked_ms = wall_clock_ms()
    answered_ms = asked_ms + late_ms
    doc = _answer(embedded, folder, asked_ms, expires_at_ms=answered_ms + TTL_MS + extra_ms)
    client = FxClient(embedded.node, "imari-fx", {})

    def check() -> object:
        return client.check(doc, "eurosend", "EUR", "RWF", 100_00, None, asked_ms, TTL_MS, answered_ms=answered_ms)

    if ok:
        check()
    else:
        with pytest.raises(HttpProblem, match="expiry is not within"):
            check()
