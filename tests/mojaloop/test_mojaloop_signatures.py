"""FSPIOP-Signature on the gateway: what it sends is signed with its key; what a peer whose key it holds
sends must verify, else 400 with 3105."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.utils import formatdate

import pytest

from inzira.interop.mojaloop import jws
from inzira.interop.mojaloop.demo import JWS_DIR, PEERS_DIR, SIGNING_KEY_FILE
from tests.mojaloop.payee_env import PAYER_FSP, WALLET, Bench, quote_body, start_bench

GATEWAY_KEY = jws.generate_key()
PAYER_KEY = jws.generate_key()
STRANGER_KEY = jws.generate_key()


@pytest.fixture(scope="module")
def signed_bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    data = tmp_path_factory.mktemp("signed")
    (data / JWS_DIR / PEERS_DIR).mkdir(parents=True)
    (data / JWS_DIR / SIGNING_KEY_FILE).write_bytes(GATEWAY_KEY.as_pem(private=True))
    (data / JWS_DIR / PEERS_DIR / f"{PAYER_FSP}.pem").write_bytes(PAYER_KEY.as_pem(private=False))
    yield from start_bench(data)


def _headers(resource: str) -> dict[str, str]:
    media = f"application/vnd.interoperability.{resource}+json;version=1.1"
    return {"Accept": media, "Content-Type": media, "Date": formatdate(usegmt=True), "FSPIOP-Source": PAYER_FSP}


def test_callbacks_are_signed_with_the_gateways_key(signed_bench):
    assert signed_bench.send("GET", f"/parties/MSISDN/{WALLET}", "parties").status_code == 202
    callback = signed_bench.hub.take(f"/parties/MSISDN/{WALLET}")
    assert callback.headers["fspiop-uri"] == f"/parties/MSISDN/{WALLET}"
    assert callback.headers["fspiop-http-method"] == "PUT"
    jws.verify(GATEWAY_KEY, "PUT", callback.path, callback.headers, callback.raw)
    with pytest.raises(jws.JwsError):
        jws.verify(STRANGER_KEY, "PUT", callback.path, callback.headers, callback.raw)


@pytest.mark.parametrize(("key", "accepted"), [(PAYER_KEY, True), (STRANGER_KEY, False), (None, False)])
def test_a_known_peers_requests_must_carry_its_signature(signed_bench, key, accepted):
    quote = quote_body()
    raw = json.dumps(quote).encode()
    headers = _headers("quotes")
    if key is not None:
        headers.update(jws.sign(key, "POST", "/quotes", headers, raw).headers())
    answer = signed_bench.send("POST", "/quotes", "quotes", raw, version="1.1", headers=headers)
    if accepted:
        assert answer.status_code == 202
        assert signed_bench.hub.take(f"/quotes/{quote['quoteId']}").body["condition"]
    else:
        assert answer.status_code == 400
        assert answer.json()["errorInformation"]["errorCode"] == "3105"


def test_a_signed_body_cannot_be_replayed_to_another_resource(signed_bench):
    quote = quote_body()
    raw = json.dumps(quote).encode()
    headers = _headers("quotes")
    headers.update(jws.sign(PAYER_KEY, "POST", "/transfers", headers, raw).headers())
    answer = signed_bench.send("POST", "/quotes", "quotes", raw, version="1.1", headers=headers)
    assert answer.status_code == 400 and answer.json()["errorInformation"]["errorCode"] == "3105"


def test_a_signature_header_nested_deep_is_refused_not_a_500(signed_bench):
    """json.loads raised RecursionError on 4 KB of brackets in FSPIOP-Signature: an internal error (a 500)."""
    quote = quote_body()
    raw = json.dumps(quote).encode()
    headers = {**_headers("quotes"), "FSPIOP-Signature": "[" * 2_000 + "]" * 2_000}
    answer = signed_bench.send("POST", "/quotes", "quotes", raw, version="1.1", headers=headers)
    assert answer.status_code == 400 and answer.json()["errorInformation"]["errorCode"] == "3105"


def test_a_body_holding_a_number_past_pythons_digit_limit_is_refused_not_a_500(signed_bench):
    """json.loads raises a plain ValueError (not JSONDecodeError) on an integer over 4,300 digits: a GET's body
    is read by the signature check alone, so a body of 5,000 digits there was an internal error (a 500)."""
    raw = b"1" * 5_000
    headers = _headers("parties")
    headers.update(jws.sign(STRANGER_KEY, "GET", f"/parties/MSISDN/{WALLET}", headers, raw).headers())
    answer = signed_bench.send("GET", f"/parties/MSISDN/{WALLET}", "parties", raw, headers=headers)
    assert answer.status_code == 400 and answer.json()["errorInformation"]["errorCode"] == "3105"
