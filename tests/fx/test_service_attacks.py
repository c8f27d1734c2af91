"""A hostile client at the FX provider's quote service (``/fx/v1``), over real HTTP: every bad request is a 4xx
problem with a stable code, never a 5xx and never a quote the client did not plainly ask for."""

from __future__ import annotations

import pytest

from inzira.api.server import serve_in_thread
from inzira.fx.app import fx_app
from inzira.fx.rates import RateError, RateTable
from inzira.fx.wire import unb64
from inzira.ledger.codes import Code
from inzira.ledger.encoding import CanonicalDecoder
from inzira.ledger.tx import SignedQuote, decode_quote
from tests.fx.conftest import CHAIN_ID, FX_MEMBER, QUOTES, T0_MS, TOKENS, Clock, Served, desk

ASK = {"for_member": "eurosend", "source_currency": "EUR", "target_currency": "RWF", "source_amount_minor": 100_00}
_signed = CanonicalDecoder(SignedQuote)


def _refused(answer, status: int, code: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == code


def test_a_plain_request_gets_a_quote_bound_to_its_member_and_chain(served: Served) -> None:
    with served.http(TOKENS["eurosend"]) as http:
        answer = http.post(QUOTES, json=ASK)
    assert answer.status_code == 201, answer.text
    quote = decode_quote(_signed(unb64(answer.json()["signed_quote"])).body)
    assert (quote.chain_id, quote.fx, quote.for_member) == (CHAIN_ID, FX_MEMBER, "eurosend")
    assert (quote.buy_currency, quote.buy_amount_minor, quote.sell_currency) == ("EUR", 100_00, "RWF")
    assert quote.expires_at_ms == served.clock.now_ms + 60_000


@pytest.mark.parametrize("field", ["source_amount_minor", "target_amount_minor", "ttl_ms", "expires_by_ms"])
@pytest.mark.parametrize("value", [True, False, 100.0, 1.5, "١٠٠", "1e3", " 100", "1_000", [100], {"n": 100}, 2**64,
                                   "100"])
def test_a_number_that_is_not_a_json_integer_is_refused(served: Served, field: str, value: object) -> None:
    """``true`` was 1 minor unit (or a 1 ms quote), 100.0 was 100: pydantic's lax mode coerced them; "100" was 100
    too, though a body's number is a JSON integer (``inzira.api.numbers.json_int``)."""
    body = {k: v for k, v in ASK.items() if k != "source_amount_minor"}
    body[field] = value
    if field not in ("source_amount_minor", "target_amount_minor"):
        body["source_amount_minor"] = 100_00
    with served.http(TOKENS["eurosend"]) as http:
        _refused(http.post(QUOTES, json=body), 400, Code.VALIDATION)


@pytest.mark.parametrize("change", [
    {"source_currency": "eur"}, {"source_currency": "EURO"}, {"source_currency": "XXX"}, {"target_currency": "KWD"},
    {"source_currency": "\u0395UR"}, {"source_currency": None}, {"target_currency": "EUR"}, {"for_member": None},
    {"for_member": 7}, {"target_amount_minor": 1}, {"source_amount_minor": None}, {"source_amount_minor": 0},
    {"source_amount_minor": -1}, {"source_amount_minor": 2**63}, {"ttl_ms": 0}, {"ttl_ms": 15 * 60_000 + 1},
    {"expires_by_ms": 1}, {"chain_id": "00"}, {"fx": "eurosend"},
    {"source_currency": "RWF", "target_currency": "EUR", "source_amount_minor": 1},  # buys no cent
    {"source_amount_minor": 2**63 - 1},  # past 2**63 - 1 once converted
])
def test_crafted_requests_are_400(served: Served, change: dict) -> None:
    with served.http(TOKENS["eurosend"]) as http:
        _refused(http.post(QUOTES, json={**ASK, **change}), 400, Code.VALIDATION)


def test_a_client_gets_quotes_for_itself_only(served: Served) -> None:
    with served.http(TOKENS["silkpay"]) as http:
        _refused(http.post(QUOTES, json=ASK), 403, Code.PERMISSION)


@pytest.mark.parametrize("token", [None, "fxc-eurosend-tokenx", "FXC-EUROSEND-TOKEN", "x" * 10_000,
                                   "remit-eurosend-token", TOKENS["eurosend"][:-1]])
def test_no_other_token_opens_the_desk(served: Served, token: str | None) -> None:
    with served.http(token) as http:
        _refused(http.post(QUOTES, json=ASK), 401, 3040)


def test_a_large_body_is_refused_unread(served: Served) -> None:
    with served.http(TOKENS["eurosend"]) as http:
        _refused(http.post(QUOTES, content=b'{"for_member": "' + b"x" * 20_000 + b'"}',
                           headers={"content-type": "application/json"}), 413, 3104)


@pytest.mark.parametrize("rates, source, target, status", [
    ({"RWF": "1", "VND": "0.0001", "KWD": "4712"}, "VND", "KWD", 400),  # 1 VND = 0.0000000212 KWD: cut to 0 (a 500)
    ({"RWF": "1", "VND": "1e-18", "KWD": "1e18"}, "KWD", "VND", 400),  # 10**36: too many digits to cut (a 500)
    ({"RWF": "1", "VND": "1e-18"}, "RWF", "VND", 201),  # 10**18, the largest rate: still quoted
])
def test_a_pair_past_any_real_six_decimal_rate_is_400_not_500(rates: dict, source: str, target: str,
                                                              status: int) -> None:
    table = RateTable.from_mapping(rates, T0_MS)
    server, _port = serve_in_thread(fx_app(desk(table), TOKENS, Clock()))
    try:
        with Served(server.base_url, desk(table), Clock()).http(TOKENS["eurosend"]) as http:
            answer = http.post(QUOTES, json={**ASK, "source_currency": source, "target_currency": target,
                                             "target_amount_minor": 1_000, "source_amount_minor": None})
        if status == 201:
            assert answer.status_code == 201, answer.text
        else:
            _refused(answer, 400, Code.VALIDATION)
    finally:
        server.stop()


@pytest.mark.parametrize("rwf_per_unit", ["0", "-1", "1e-19", "1e19", "1e-999999", "NaN", "Infinity"])
def test_a_rate_table_entry_past_any_real_value_is_refused_when_loaded(rwf_per_unit: str) -> None:
    """1e-999999 RWF per VND against 1e999999 per KWD overflowed Decimal at the first quote (a 500)."""
    with pytest.raises(RateError):
        RateTable.from_mapping({"RWF": "1", "VND": rwf_per_unit}, T0_MS)
