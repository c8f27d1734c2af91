"""The two public receipt verifiers (``POST /v1/receipts/verify`` and the explorer's ``/explorer/verify-receipt``)
give one answer to one body: a request that is not a receipt (not JSON, NaN or Infinity, a number no receipt
holds or of the wrong type, nesting past the decoder's depth, not an object) is the same 400 problem (3100) on
both, never a 5xx; a receipt that does not verify is a verdict (200, valid false) with the same reason."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.ledger.codes import Code
from inzira.ledger.records import Leg
from inzira.ledger.tx import Transfer
from inzira.web.explorer import explorer_router
from tests.api.helpers import problem

PATHS = ("/v1/receipts/verify", "/explorer/verify-receipt")
NUMBERS = (("result", "code"), ("result", "at"), ("block", "height"), ("block", "timestamp_ms"),
           ("proof", "leaf_index"))
# What a hostile body puts where a receipt holds an integer: JSON no strict parser reads, numbers past any range,
# and values of another type.
NOT_RECEIPT_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", str(10**400), str(-(10**400)),
                       str(2**64), "1.5", "0.0", '"5"', "true", "false", "null", "[]", "{}"]
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(scope="module")
def both(ledger) -> Iterator[httpx.Client]:
    """The API with the explorer mounted, as the demo serves them, on a server of its own."""
    served, _ = serve_in_thread(create_app(ledger.net, routers=[explorer_router(ledger.net)]))
    try:
        with httpx.Client(base_url=served.base_url, timeout=15.0) as http:
            yield http
    finally:
        served.stop()


@pytest.fixture(scope="module")
def receipt_text(ledger) -> str:
    payer = ledger.account("eurosend", "EUR", funded_minor=10)
    payee = ledger.account("mobimo", "EUR")
    outcome = ledger.net.execute("eurosend", Transfer((Leg(payer, payee, 5, "EUR"),)))
    return json.dumps(ledger.net.node.receipt(outcome.tx_id))


def answers(http: httpx.Client, body: bytes) -> list[httpx.Response]:
    return [http.post(path, content=body, headers={"Content-Type": "application/json"}) for path in PATHS]


def with_number(receipt_text: str, section: str, name: str, token: str) -> bytes:
    """The receipt with one of its integers replaced by ``token``, written into the JSON text as it is."""
    receipt = json.loads(receipt_text)
    receipt[section][name] = "@@"
    return json.dumps(receipt).replace('"@@"', token).encode()


def assert_same_400(http: httpx.Client, body: bytes) -> str:
    details = {problem(r, 400, Code.VALIDATION)["detail"] for r in answers(http, body)}
    assert len(details) == 1, details
    return details.pop()


@pytest.mark.parametrize("token", NOT_RECEIPT_NUMBERS)
@pytest.mark.parametrize(("section", "name"), NUMBERS)
def test_a_number_no_receipt_holds_is_the_same_400_on_both(both, receipt_text, section, name, token):
    detail = assert_same_400(both, with_number(receipt_text, section, name, token))
    if token not in ("NaN", "Infinity", "-Infinity", "1e400", "-1e400") and "out of range" not in detail:
        assert f"{section}.{name}" in detail


@pytest.mark.parametrize("body", [
    b"", b"not json", b"NaN", b"[1, 2]", b'"receipt"', b"5", b"null", b"true",
    b'{"format": "inzira-receipt/1", "\xff": 1}',
    b"[" * 5_000 + b"]" * 5_000,
    b'{"format": "inzira-receipt/1", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}",
    b'{"format": "inzira-receipt/1", "x": ' + b"9" * 5_000 + b"}",
], ids=["empty", "text", "nan", "array", "string", "number", "null", "bool", "not-utf8", "deep", "deep-inside",
        "5000-digits"])
def test_a_body_that_is_not_a_json_object_is_the_same_400_on_both(both, body):
    assert_same_400(both, body)


def test_a_receipt_that_does_not_verify_is_the_same_verdict_on_both(both, receipt_text):
    receipt = json.loads(receipt_text)
    receipt["result"]["code"] = 4001
    for body in (json.dumps(receipt).encode(), b"{}", b'{"format": "inzira-receipt/1", "block": {"header": 5}}'):
        api, explorer = answers(both, body)
        assert api.status_code == explorer.status_code == 200
        assert api.json()["valid"] is explorer.json()["valid"] is False
        assert api.json()["reason"] == explorer.json()["reason"]


def test_a_real_receipt_is_valid_on_both(both, receipt_text):
    api, explorer = answers(both, receipt_text.encode())
    assert api.json()["valid"] is True and explorer.json()["valid"] is True
    assert api.json()["tx_id"] == explorer.json()["summary"]["tx_id"]


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    return st.recursive(leaves, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)


@SETTINGS
@given(data=st.data())
def test_any_body_gets_one_answer_from_both_and_never_a_5xx(both, receipt_text, data):
    """Arbitrary bytes, arbitrary JSON (Python writes NaN and Infinity), or a real receipt with any value in place
    of one of its integers: the two verifiers agree and never fail."""
    receipt = json.loads(receipt_text)
    section, name = data.draw(st.sampled_from(NUMBERS))
    value = data.draw(_json_values() | st.integers(min_value=-(10**30), max_value=10**30))
    receipt[section][name] = value
    as_sent = json.dumps(receipt).encode()
    body = data.draw(st.sampled_from([data.draw(st.binary(max_size=64)), json.dumps(data.draw(_json_values())).encode(),
                                      as_sent]))
    api, explorer = answers(both, body)
    assert api.status_code == explorer.status_code and api.status_code in (200, 400), (body[:200], api.text)
    if api.status_code == 400:
        assert problem(api, 400, Code.VALIDATION)["detail"] == problem(explorer, 400, Code.VALIDATION)["detail"]
    else:
        assert api.json()["valid"] == explorer.json()["valid"]
        assert api.json().get("reason") == explorer.json().get("reason")
    if type(value) is not int or not -1 <= value < 2**63:  # a value no receipt holds there: the request's fault
        assert api.status_code == 400 or body != as_sent
