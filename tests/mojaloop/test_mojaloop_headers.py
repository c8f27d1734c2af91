"""Requests the gateway cannot take are answered at once: 400 (406 for a version it lacks, 404 for an unknown
resource) with ``errorInformation`` naming what is wrong, never a 5xx."""

from __future__ import annotations

import pytest

from inzira.interop.mojaloop.headers import check_request
from inzira.interop.mojaloop.errors import FspiopError
from tests.mojaloop.payee_env import WALLET, bench, quote_body  # noqa: F401 (fixture)

PARTY = f"/parties/MSISDN/{WALLET}"
JSON_1_0 = "application/vnd.interoperability.{}+json;version=1.0"


@pytest.mark.parametrize(("drop", "headers", "status", "code", "named"), [
    (("FSPIOP-Source",), {}, 400, "3102", "fspiop-source"),
    (("Date",), {}, 400, "3102", "date"),
    (("Accept",), {}, 400, "3102", "accept"),
    (("Content-Type",), {}, 400, "3102", "content-type"),
    ((), {"Date": "thursday"}, 400, "3101", "date"),
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
