"""Requests the gateway cannot take are answered at once: 400 (406 for a version it lacks, 404 for an unknown
resource) with ``errorInformation`` naming what is wrong, never a 5xx."""

from __future__ import annotations

import pytest

from inzira.interop.mojaloop.headers import check_request
from inzira.interop.mojaloop.errors import FspiopError
from tests.mojaloop.payee_env import WALLET, bench, quote_body  # noqa: F401 (fixture)

PARTY = f"/parties/MSISDN/{WALLET}"
JSON_1_0 = "application/vnd.interoperability.{}+json;version=1.0"
PARTIES = "application/vnd.interoperability.parties+json"


@pytest.mark.parametrize(("drop", "headers", "status", "code", "named"), [
    (("FSPIOP-Source",), {}, 400, "3102", "fspiop-source"),
    (("Date",), {}, 400, "3102", "date"),
    (("Accept",), {}, 400, "3102", "accept"),
    (("Content-Type",), {}, 400, "3102", "content-type"),
    ((), {"Date": "thursday"}, 400, "3101", "date"),
    ((), {"Date": "Mon, 07 Dec 99999999999 10:00:00 GMT"}, 400, "3101", "date"),  # OverflowError: a 500
    ((), {"Accept": "application/vnd.interoperability.parties+xml;version=3.0"}, 400, "3101", "accept"),
    ((), {"Accept": "application/vnd.interoperability.quotes+json;version=1"}, 400, "3101", "accept"),
    ((), {"Accept": "application/vnd.interoperability.parties+json;version=2"}, 406, "3001", "accept"),
    ((), {"Content-Type": "application/vnd.interoperability.parties+json;version=2.0"}, 406, "3001", "content-type"),
    ((), {"Content-Type": "application/json"}, 400, "3101", "content-type"),
    ((), {"FSPIOP-Destination": "someoneelse"}, 400, "3201", "fspiop-destination"),
    ((), {"FSPIOP-Source": "x" * 33}, 400, "3101", "fspiop-source"),
])
def test_bad_headers_on_a_lookup(bench, drop, headers, status, code, named):
    answer = bench.send("GET", PARTY, "parties", headers=headers, drop=drop)
    assert answer.status_code == status
    info = answer.json()["errorInformation"]
    assert info["errorCode"] == code and named in info["errorDescription"]


# Mojaloop's own services (central-services-shared, hapi plugin headerValidation.js) take any number of digits
# in a version and answer an unsupported one with 406 and these words after the code's name.
ACCEPT_UNSUPPORTED = "Unacceptable version requested - The Client requested an unsupported version"
CONTENT_UNSUPPORTED = "Unacceptable version requested - Client supplied a protocol version which is not supported"


@pytest.mark.parametrize(("method", "path", "resource", "header", "value", "words"), [
    ("GET", PARTY, "parties", "Accept", "version=1000", ACCEPT_UNSUPPORTED),
    ("GET", PARTY, "parties", "Accept", "version=1000.0", ACCEPT_UNSUPPORTED),
    ("GET", PARTY, "parties", "Accept", "version=2", ACCEPT_UNSUPPORTED),
    ("GET", PARTY, "parties", "Content-Type", "version=1000.0", CONTENT_UNSUPPORTED),
    ("GET", PARTY, "parties", "Content-Type", "version=1.2", CONTENT_UNSUPPORTED),
    ("POST", "/quotes", "quotes", "Accept", "version=1000", ACCEPT_UNSUPPORTED),
    ("POST", "/quotes", "quotes", "Content-Type", "version=2.0", CONTENT_UNSUPPORTED),
    ("POST", "/transfers", "transfers", "Accept", "version=1000", ACCEPT_UNSUPPORTED),
    ("POST", "/transfers", "transfers", "Content-Type", "version=1000.1000", CONTENT_UNSUPPORTED),
])
def test_a_version_not_spoken_is_406_3001_whatever_its_digits(bench, method, path, resource, header, value, words):
    body = quote_body() if resource == "quotes" else ({"transferId": "x"} if resource == "transfers" else None)
    media = f"application/vnd.interoperability.{resource}+json;{value}"
    answer = bench.send(method, path, resource, body, headers={header: media})
    assert answer.status_code == 406, answer.text
    info = answer.json()["errorInformation"]
    assert info["errorCode"] == "3001" and info["errorDescription"].startswith(words), info
    assert {(e["key"], e["value"]) for e in info["extensionList"]["extension"]} == {("1", "0"), ("1", "1")}


@pytest.mark.parametrize("value", ["version=1" + "0" * 10, "version=1.1" + "0" * 10])
def test_an_overlong_version_number_is_malformed_not_parsed(bench, value):
    media = f"application/vnd.interoperability.parties+json;{value}"
    answer = bench.send("GET", PARTY, "parties", headers={"Accept": media})
    assert answer.status_code == 400 and answer.json()["errorInformation"]["errorCode"] == "3101"


@pytest.mark.parametrize("accept", ["version=1", f"version=1.0,{PARTIES};version=1000",
                                    f"version=1000,{PARTIES};version=1.1"])
def test_an_accept_naming_a_spoken_version_among_others_is_taken(bench, accept):
    answer = bench.send("GET", PARTY, "parties", headers={"Accept": f"{PARTIES};{accept}"})
    assert answer.status_code == 202, answer.text


def test_an_unacceptable_version_lists_the_versions_spoken(bench):
    answer = bench.send("GET", PARTY, "parties", headers={"Accept": JSON_1_0.format("parties")[:-3] + "9.0"})
    assert answer.status_code == 406
    extensions = answer.json()["errorInformation"]["extensionList"]["extension"]
    assert {(e["key"], e["value"]) for e in extensions} == {("1", "0"), ("1", "1")}


@pytest.mark.parametrize(("body", "code", "named"), [
    (b"", "3102", "body"),
    (b"{not json", "3101", "body"),
    (b"[1, 2]", "3101", "body"),
    ({"quoteId": "not-a-uuid"}, "3100", "quoteId"),
    ({"amount": {"amount": "12.5.0", "currency": "RWF"}}, "3100", "amount"),
    ({"amountType": "LOAN"}, "3100", "amountType"),
])
def test_bad_quote_bodies(bench, body, code, named):
    if isinstance(body, dict):
        body = {**quote_body(), **body}
    answer = bench.send("POST", "/quotes", "quotes", body)
    assert answer.status_code == 400, answer.text
    info = answer.json()["errorInformation"]
    assert info["errorCode"] == code and named.lower() in info["errorDescription"].lower(), info


def test_a_missing_body_field_is_named(bench):
    body = quote_body()
    del body["transactionType"]
    answer = bench.send("POST", "/quotes", "quotes", body)
    assert answer.status_code == 400
    info = answer.json()["errorInformation"]
    assert info["errorCode"] == "3102" and "transactionType" in info["errorDescription"]


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/participants/MSISDN/1"), ("DELETE", "/quotes"), ("POST", "/nothing/here"), ("GET", "/"),
])
def test_unknown_resources_are_3002(bench, method, path):
    answer = bench.send(method, path, "parties")
    assert answer.status_code == 404 and answer.json()["errorInformation"]["errorCode"] == "3002"


@pytest.mark.parametrize("path", ["/parties/NOPE/1", "/quotes/not-a-uuid", "/transfers/12345"])
def test_bad_path_ids_are_400(bench, path):
    resource = path.split("/")[1]
    answer = bench.send("GET", path, resource)
    assert answer.status_code == 400 and "errorInformation" in answer.json()


def test_a_callback_takes_no_accept_but_a_request_must():
    headers = {"content-type": JSON_1_0.format("transfers"), "date": "Sat, 05 Dec 2026 12:00:00 GMT",
               "fspiop-source": "hub"}
    assert check_request(headers, "transfers", "inzira", callback=True).version == (1, 0)
    with pytest.raises(FspiopError) as refused:
        check_request(headers, "transfers", "inzira")
    assert "accept" in refused.value.description
