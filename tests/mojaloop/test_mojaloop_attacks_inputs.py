"""Hostile bytes at the gateway's FSPIOP door: huge numbers, deep nesting, crafted path ids, oversized bodies.

Each is answered at once with a 4xx and ``errorInformation`` (never a 5xx, never a hang), and the gateway
keeps serving afterwards. Ids echoed into callback URLs are percent-encoded, one segment each.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from inzira.interop.mojaloop import ilp
from inzira.interop.mojaloop.fields import BODY_BYTES_MAX
from inzira.interop.mojaloop.requests import segment
from tests.mojaloop.payee_env import WALLET, bench, quote_body  # noqa: F401 (fixture)

HUGE_DIGITS = 5_000  # over Python's 4,300-digit limit on int() of a string
DEEP = 30_000  # over Python's recursion limit in json.loads, within the 64 KiB body limit
QUOTE_ID = "3f1f8a52-8e4b-4c3b-9a55-0000000000aa"


def _code(answer) -> str:
    return answer.json()["errorInformation"]["errorCode"]


def _still_serving(bench) -> None:
    assert bench.send("GET", f"/parties/MSISDN/{WALLET}", "parties").status_code == 202
    assert bench.hub.take(f"/parties/MSISDN/{WALLET}").body["party"]["partyIdInfo"]["partyIdentifier"] == WALLET


@pytest.mark.parametrize("raw", [
    json.dumps(quote_body(amount="1"))[:-1].encode() + b', "extra": ' + b"9" * HUGE_DIGITS + b"}",
    json.dumps(quote_body())[:-1].encode() + b', "amount": {"amount": ' + b"1" * HUGE_DIGITS
    + b', "currency": "RWF"}}',
    b'{"quoteId": ' + b"[" * DEEP + b"]" * DEEP + b"}",
])
def test_huge_numbers_and_deep_nesting_are_malformed_syntax(bench, raw):
    answer = bench.send("POST", "/quotes", "quotes", raw)
    assert answer.status_code == 400, answer.text
    assert _code(answer) == "3101"
    _still_serving(bench)


def test_a_5000_digit_amount_string_breaks_the_amount_pattern(bench):
    answer = bench.send("POST", "/quotes", "quotes", quote_body(amount="7" * HUGE_DIGITS))
    assert answer.status_code == 400
    info = answer.json()["errorInformation"]
    assert info["errorCode"] == "3100" and "/amount/amount" in info["errorDescription"]


@pytest.mark.parametrize("data", [
    b'{"quoteId": ' + b"9" * HUGE_DIGITS + b"}",
    b'{"quoteId": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
])
def test_an_ilp_packet_with_a_huge_number_or_deep_nesting_is_an_ilp_error(data):
    packet = ilp.transaction_packet({"quoteId": "q"}, 100, datetime.now(UTC) + timedelta(minutes=1), bytes(32))
    raw = bytearray(base64.urlsafe_b64decode(packet + "=" * (-len(packet) % 4)))
    prepare = ilp.decode_prepare(bytes(raw))
    forged = ilp.encode_prepare(ilp.Prepare(prepare.amount_minor, prepare.expires_at, prepare.condition,
                                            prepare.destination,
                                            base64.urlsafe_b64encode(data).rstrip(b"=")))
    text = base64.urlsafe_b64encode(forged).rstrip(b"=").decode()
    with pytest.raises(ilp.IlpError):
        ilp.read_packet(text)


@pytest.mark.parametrize("path", [
    "/parties/MSISDN/250788%0d%0aX-Injected:%201",  # CR LF into the callback's request line
    "/parties/MSISDN/%2E%2E",  # a dot segment: the callback would climb out of /parties
    "/parties/MSISDN/250788%252F..%252Ftransfers",  # percent-encoded twice: one decoding leaves "%2F"
    "/parties/MSISDN/2507%00881",
    "/parties/MSISDN/" + "1" * 129,
    "/parties/MSISDN/250788123456/%7f",
])
def test_crafted_party_ids_are_malformed_syntax_and_nothing_is_sent(bench, path):
    answer = bench.send("GET", path, "parties")
    assert answer.status_code == 400, answer.text
    assert _code(answer) == "3101"
    _still_serving(bench)


@pytest.mark.parametrize(("method", "path", "resource"), [
    ("GET", "/quotes/3f1f8a52-8e4b-4c3b-9a55-00000000%0a01", "quotes"),
    ("GET", "/transfers/%2E%2E", "transfers"),
    ("PUT", "/quotes/3f1f8a52%258e4b-4c3b-9a55-000000000001", "quotes"),
    ("PUT", "/transfers/3f1f8a52-8e4b-4c3b-9a55-00000000%0d01/error", "transfers"),
    ("PUT", "/parties/MSISDN/25%0a0788/error", "parties"),
])
def test_crafted_ids_in_other_paths_are_malformed_syntax(bench, method, path, resource):
    body = {"errorInformation": {"errorCode": "3204", "errorDescription": "x"}} if method == "PUT" else None
    drop = ("Accept",) if method == "PUT" else ()
    answer = bench.send(method, path, resource, body, drop=drop)
    assert answer.status_code == 400, answer.text
    assert _code(answer) == "3101"


def test_an_id_with_reserved_characters_goes_back_as_one_encoded_segment(bench):
    assert segment("a/b?c#d%e f") == "a%2Fb%3Fc%23d%25e%20f"
    odd = "2507[88];@é"
    assert bench.send("GET", f"/parties/MSISDN/{segment(odd)}", "parties").status_code == 202
    callback = bench.hub.take(f"/parties/MSISDN/{odd}/error")  # the hub decodes the one segment back
    assert callback.body["errorInformation"]["errorCode"] == "3200"


def test_an_oversized_body_is_413_in_errorinformation_format(bench):
    raw = json.dumps(quote_body(note="x" * (BODY_BYTES_MAX + 1))).encode()
    answer = bench.send("POST", "/quotes", "quotes", raw)
    assert answer.status_code == 413
    assert answer.headers["content-type"] == "application/json"
    assert _code(answer) == "3104"
    _still_serving(bench)


@pytest.mark.parametrize("source", [b"\xe9vil", "pay er", "a\tb"])  # bytes: latin-1 on the wire
def test_an_fsp_id_that_cannot_be_echoed_as_a_header_is_malformed(bench, source):
    raw = bench.send("GET", f"/parties/MSISDN/{WALLET}", "parties", headers={"FSPIOP-Source": source})
    assert raw.status_code == 400, raw.text
    info = raw.json()["errorInformation"]
    assert info["errorCode"] == "3101" and "fspiop-source" in info["errorDescription"]


@pytest.mark.parametrize("digits", ["２５０７８８１２３４５６", "٢٥٠٧٨٨١٢٣٤٥٦", "²50788123456"])
def test_a_number_in_other_digits_names_no_wallet(bench, digits):
    """FSPIOP writes a number as its E.164 digits (ASCII). Other Unicode digits pass ``str.isdigit`` and the phone
    parser reads them as the same number: the wallet would answer under many ids, none of them its own."""
    path = f"/parties/MSISDN/{digits}"
    assert bench.send("GET", f"/parties/MSISDN/{segment(digits)}", "parties").status_code == 202
    answer = bench.hub.take_either(path, f"{path}/error")
    assert answer.path == f"{path}/error" and _code_of(answer.body) == "3200"
    quote = quote_body(to_id=digits)
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    refused = bench.hub.take_either(f"/quotes/{quote['quoteId']}", f"/quotes/{quote['quoteId']}/error")
    assert refused.path.endswith("/error") and _code_of(refused.body) == "3204"


def _code_of(body: dict) -> str:
    return body["errorInformation"]["errorCode"]
