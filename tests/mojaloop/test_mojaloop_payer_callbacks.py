"""Hostile and broken callbacks to the payer: refused with 400 and errorInformation, never settling a step.

A stub hub (a real HTTP server) accepts the gateway's requests with 202; the test then plays the hub's
callbacks itself, right and wrong, against the gateway's real FSPIOP routes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.responses import Response

from inzira.interop.mojaloop import ilp, jws
from inzira.interop.mojaloop.gateway import Gateway
from inzira.interop.mojaloop.headers import http_date
from inzira.interop.mojaloop.payer import Payer, PayerConfig
from inzira.interop.mojaloop.payer_answers import Failure, PartyFound, QuoteTerms, iso_ms
from tests.mojaloop.payer_app import payer_app
from tests.mojaloop.serving import serving
from tests.mojaloop.ttk import free_port

GATEWAY, PAYEE_FSP = "inzira", "ekashpayee"
PARTY = PartyFound("MSISDN", "250788000001", PAYEE_FSP, "Jeanne Uwase", {})
SENDER = {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "32470123456", "fspId": GATEWAY}}
WAIT_S = 10.0


@dataclass
class Stub:
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    raw: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # as the request line carried them, before any decoding
    refusals: list[bytes] = field(default_factory=list)  # bodies of the next answers, each a 400
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Rig:
    payer: Payer
    stub: Stub
    gateway_url: str
    key: jws.RSAKey
    gateway: Gateway


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    stub = Stub()
    hub = FastAPI()

    @hub.api_route("/{path:path}", methods=["GET", "POST"])
    async def accept(path: str, request: Request) -> Response:
        raw = await request.body()
        stub.requests.append((request.method, "/" + path, json.loads(raw) if raw else {}))
        stub.raw.append(({name.lower(): value for name, value in request.headers.items()}, raw))
        stub.paths.append(request.scope["raw_path"].decode())
        stub.arrived.set()
        return Response(stub.refusals.pop(0), 400) if stub.refusals else Response(status_code=202)

    key = jws.generate_key()
    async with serving(hub) as hub_url:
        payer = Payer(PayerConfig(GATEWAY, hub_url, callback_timeout_ms=4_000))
        peers = {"signedfsp": jws.load_public_key(key.as_pem(private=False))}
        with payer_app(payer, tmp_path, peers) as app:
            async with serving(app) as gateway_url:
                yield Rig(payer, stub, gateway_url, key, app.state.gateway)
        await payer.aclose()


def _headers(resource: str, source: str = PAYEE_FSP, **extra: str) -> dict[str, str]:
    return {"Content-Type": f"application/vnd.interoperability.{resource}+json;version=1.1",
            "Date": http_date(datetime.now(UTC)), "FSPIOP-Source": source, "FSPIOP-Destination": GATEWAY, **extra}


async def _put(rig: Rig, path: str, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(timeout=WAIT_S) as client:
        return await client.put(f"{rig.gateway_url}/fspiop{path}", content=json.dumps(body), headers=headers)


async def _sent(rig: Rig) -> tuple[str, str, dict[str, Any]]:
    await asyncio.wait_for(rig.stub.arrived.wait(), WAIT_S)
    rig.stub.arrived.clear()
    return rig.stub.requests[-1]


def _quote_answer(request: dict[str, Any], fulfilment: bytes, **changes: Any) -> dict[str, Any]:
    condition = ilp.condition_of(fulfilment)
    expiration = datetime.now(UTC) + timedelta(minutes=1)
    amount = int(request["amount"]["amount"])
    packet = ilp.transaction_packet({"quoteId": request["quoteId"], "transactionId": request["transactionId"]},
                                    amount, expiration, condition)
    body = {"transferAmount": request["amount"], "expiration": iso_ms(expiration),
            "ilpPacket": packet, "condition": ilp.encode_condition(condition)}
    body.update(changes)
    return body


@pytest.mark.anyio
@pytest.mark.parametrize(("headers", "status", "code"), [
    ({"Content-Type": "application/json"}, 400, "3102"),  # the body cannot be read as FSPIOP
    ({"Content-Type": "application/vnd.interoperability.quotes+json;version=2.0"}, 406, "3001"),
    ({"Content-Type": "application/vnd.interoperability.parties+json;version=1.1"}, 400, "3102"),
    ({"Date": "yesterday"}, 400, "3101"),
    ({"FSPIOP-Destination": "someoneelse"}, 400, "3201"),
    ({"FSPIOP-Source": ""}, 400, "3102"),
    ({"FSPIOP-Source": "signedfsp"}, 400, "3105"),  # a peer whose key is configured must sign
])
async def test_bad_headers_are_refused_and_settle_nothing(rig: Rig, headers: dict[str, str], status: int,
                                                          code: str) -> None:
    step = asyncio.create_task(rig.payer.quote(PARTY, SENDER, 1000, "RWF", datetime.now(UTC) + timedelta(minutes=1)))
    _, _, request = await _sent(rig)
    answer = await _put(rig, f"/quotes/{request['quoteId']}", _quote_answer(request, bytes(32)),
                        {**_headers("quotes"), **headers})
    assert answer.status_code == status
    assert answer.json()["errorInformation"]["errorCode"] == code
    assert not step.done()
    step.cancel()


@pytest.mark.anyio
async def test_a_body_outside_the_definition_is_refused(rig: Rig) -> None:
    step = asyncio.create_task(rig.payer.quote(PARTY, SENDER, 1000, "RWF", datetime.now(UTC) + timedelta(minutes=1)))
    _, _, request = await _sent(rig)
    body = _quote_answer(request, bytes(32))
    del body["condition"]
    answer = await _put(rig, f"/quotes/{request['quoteId']}", body, _headers("quotes"))
    assert answer.status_code == 400
    info = answer.json()["errorInformation"]
    assert info == {"errorCode": "3102",
                    "errorDescription": "Missing mandatory element - /requestBody must have required property "
                                        "'condition'"}
    good = await _put(rig, f"/quotes/{request['quoteId']}", _quote_answer(request, bytes(32)), _headers("quotes"))
    assert good.status_code == 200
    assert isinstance(await step, QuoteTerms)


@pytest.mark.anyio
async def test_a_signed_peer_is_accepted_and_a_forged_signature_is_not(rig: Rig) -> None:
    party = PartyFound("MSISDN", "250788000001", "signedfsp", "Jeanne Uwase", {})
    step = asyncio.create_task(rig.payer.quote(party, SENDER, 1000, "RWF", datetime.now(UTC) + timedelta(minutes=1)))
    _, _, request = await _sent(rig)
    body = json.dumps(_quote_answer(request, bytes(32))).encode()
    path = f"/quotes/{request['quoteId']}"
    headers = _headers("quotes", source="signedfsp")
    signed = {**headers, **jws.sign(rig.key, "PUT", path, headers, body).headers()}
    forged = {**headers, **jws.sign(jws.generate_key(), "PUT", path, headers, body).headers()}
    async with httpx.AsyncClient(timeout=WAIT_S) as client:
        refused = await client.put(f"{rig.gateway_url}/fspiop{path}", content=body, headers=forged)
        assert refused.status_code == 400 and refused.json()["errorInformation"]["errorCode"] == "3105"
        assert not step.done()
        accepted = await client.put(f"{rig.gateway_url}/fspiop{path}", content=body, headers=signed)
    assert accepted.status_code == 200
    assert isinstance(await step, QuoteTerms)


@pytest.mark.anyio
@pytest.mark.parametrize(("change", "code"), [
    ({"transferAmount": {"currency": "RWF", "amount": "999"}}, "3100"),
    ({"transferAmount": {"currency": "EUR", "amount": "10"}}, "3100"),
    ({"payeeReceiveAmount": {"currency": "USD", "amount": "1000"}}, "3100"),  # each amount in the quote's currency
    ({"payeeFspFee": {"currency": "EUR", "amount": "0"}}, "3100"),
    ({"expiration": "2020-01-01T00:00:00.000Z"}, "3302"),
    ({"condition": ilp.encode_condition(bytes(range(32)))}, "3100"),
    ({"ilpPacket": "AAAA"}, "3100"),
])
async def test_a_quote_answer_that_does_not_fit_the_request_fails(rig: Rig, change: dict[str, Any],
                                                                   code: str) -> None:
    step = asyncio.create_task(rig.payer.quote(PARTY, SENDER, 1000, "RWF", datetime.now(UTC) + timedelta(minutes=1)))
    _, _, request = await _sent(rig)
    answer = await _put(rig, f"/quotes/{request['quoteId']}", _quote_answer(request, bytes(32), **change),
                        _headers("quotes"))
    assert answer.status_code == 200
    result = await step
    assert isinstance(result, Failure) and result.code == code, result


async def _terms(rig: Rig, fulfilment: bytes) -> QuoteTerms:
    step = asyncio.create_task(rig.payer.quote(PARTY, SENDER, 1000, "RWF", datetime.now(UTC) + timedelta(minutes=1)))
    _, _, request = await _sent(rig)
    await _put(rig, f"/quotes/{request['quoteId']}", _quote_answer(request, fulfilment), _headers("quotes"))
    terms = await step
    assert isinstance(terms, QuoteTerms)
    return terms


@pytest.mark.anyio
@pytest.mark.parametrize(("answer", "state", "code"), [
    ({"transferState": "COMMITTED", "fulfilment": ilp.b64url_encode(bytes([9]) * 32),
      "completedTimestamp": "2099-01-01T00:00:00.000Z"}, "UNKNOWN", "3303"),  # unconfirmed by the hub
    ({"transferState": "RESERVED"}, "UNKNOWN", "3100"),
    ({"transferState": "ABORTED"}, "UNKNOWN", "3100"),  # the hub does not confirm the abort: still pending
])
async def test_only_a_timely_fulfilment_that_opens_the_condition_commits(rig: Rig, answer: dict[str, Any],
                                                                         state: str, code: str) -> None:
    terms = await _terms(rig, bytes([9]) * 32)
    step = asyncio.create_task(rig.payer.transfer(terms, datetime.now(UTC) + timedelta(seconds=30)))
    _, _, request = await _sent(rig)
    reply = await _put(rig, f"/transfers/{request['transferId']}", answer, _headers("transfers"))
    assert reply.status_code == 200
    outcome = await step
    assert (outcome.state, outcome.fulfilment) == (state, None)
    assert outcome.failure is not None and outcome.failure.code == code


@pytest.mark.anyio
async def test_a_timely_fulfilment_commits(rig: Rig) -> None:
    terms = await _terms(rig, bytes([9]) * 32)
    step = asyncio.create_task(rig.payer.transfer(terms, datetime.now(UTC) + timedelta(seconds=30)))
    _, _, request = await _sent(rig)
    assert request["condition"] == ilp.encode_condition(ilp.condition_of(bytes([9]) * 32))
    answer = {"transferState": "COMMITTED", "fulfilment": ilp.b64url_encode(bytes([9]) * 32),
              "completedTimestamp": iso_ms(datetime.now(UTC))}
    assert (await _put(rig, f"/transfers/{request['transferId']}", answer, _headers("transfers"))).status_code == 200
    outcome = await step
    assert (outcome.state, outcome.fulfilment) == ("COMMITTED", bytes([9]) * 32)


@pytest.mark.anyio
async def test_a_callback_nobody_waits_for_is_kept_not_lost(rig: Rig) -> None:
    answer = {"transferState": "COMMITTED", "fulfilment": ilp.b64url_encode(bytes(32)),
              "completedTimestamp": iso_ms(datetime.now(UTC))}
    reply = await _put(rig, "/transfers/7a7a7a7a-1111-4222-8333-444455556666", answer, _headers("transfers"))
    assert reply.status_code == 200
    async with asyncio.timeout(WAIT_S):  # the server hands a callback on after its 200
        while not rig.payer.late:
            await asyncio.sleep(0.02)
    assert [entry.key for entry in rig.payer.late] == ["7a7a7a7a-1111-4222-8333-444455556666"]


@pytest.mark.anyio
async def test_no_callback_is_a_timeout_and_an_unanswered_transfer_is_unknown(rig: Rig) -> None:
    terms = await _terms(rig, bytes([9]) * 32)
    rig.payer.config = PayerConfig(GATEWAY, rig.payer.config.hub_url, callback_timeout_ms=200, get_retry_ms=200)
    assert (await rig.payer.lookup("MSISDN", "250788000009")).code == "2004"  # type: ignore[union-attr]
    outcome = await rig.payer.transfer(terms, datetime.now(UTC) + timedelta(milliseconds=300))
    assert outcome.state == "UNKNOWN" and outcome.failure is not None and outcome.failure.code == "2004"
    assert [method for method, _, _ in rig.stub.requests[-2:]] == ["POST", "GET"]


@pytest.mark.anyio
async def test_an_unreachable_hub_is_a_communication_error() -> None:
    payer = Payer(PayerConfig(GATEWAY, f"http://127.0.0.1:{free_port()}", callback_timeout_ms=500))
    try:
        assert (await payer.lookup("MSISDN", "250788000001")).code == "1001"  # type: ignore[union-attr]
    finally:
        await payer.aclose()


@pytest.mark.anyio
async def test_a_refusal_of_any_shape_is_a_failure_with_a_code(rig: Rig) -> None:
    rig.stub.refusals = [b'{"errorInformation": {"errorCode": "3100", "errorDescription": "bad date"}}',
                         b'{"errorInformation": "3100"}', b'{"errorInformation": {"errorCode": 3100}}', b"[1]",
                         b"not json", b""]
    got = [await rig.payer.lookup("MSISDN", "250788000001") for _ in range(6)]
    assert [(f.code, f.description) for f in got] == [("3100", "bad date")] + [("1000", "the hub answered 400")] * 5


@pytest.mark.anyio
async def test_a_refusal_whose_code_is_no_mojaloop_code_is_the_hubs_plain_refusal(rig: Rig) -> None:
    """The remittance service reads a refusal's code with ``int(code) if code.isdigit()``: "²" passes isdigit()
    and int() raises (a 500 out of POST /v1/remit/quotes), and 20 digits became the API's error code."""
    codes = ["\u00b2", "\u0661\u0660\u0660\u0660", "1" * 20, "0999", " 3100"]
    rig.stub.refusals = [json.dumps({"errorInformation": {"errorCode": code, "errorDescription": "odd"}}).encode()
                         for code in codes]
    got = [await rig.payer.lookup("MSISDN", "250788000001") for _ in codes]
    assert [(f.code, f.description) for f in got] == [("1000", "odd")] * len(codes)


@pytest.mark.anyio
async def test_a_request_goes_out_with_its_path_as_built_and_its_fspiop_headers(rig: Rig) -> None:
    # An id that decoded or resolved would name another party (or none): the hub must see it as encoded.
    step = asyncio.create_task(rig.payer.lookup("MSISDN", "a/b%A~"))
    dots = asyncio.create_task(rig.payer.lookup("ALIAS", ".."))
    async with asyncio.timeout(WAIT_S):
        while len(rig.stub.paths) < 2:
            await asyncio.sleep(0.02)
    assert sorted(rig.stub.paths) == ["/parties/ALIAS/..", "/parties/MSISDN/a%2Fb%25A~"]
    headers = rig.stub.raw[-1][0]
    assert headers["accept"] == "application/vnd.interoperability.parties+json;version=1"
    assert {"content-type", "date", "fspiop-source", "fspiop-uri", "fspiop-http-method"} <= set(headers)
    step.cancel()
    dots.cancel()


@pytest.mark.anyio
async def test_the_payers_requests_are_signed_when_it_has_a_key(rig: Rig) -> None:
    rig.payer.config = PayerConfig(GATEWAY, rig.payer.config.hub_url, signing_key=rig.key, callback_timeout_ms=4_000)
    step = asyncio.create_task(rig.payer.quote(PARTY, SENDER, 1000, "RWF", datetime.now(UTC) + timedelta(minutes=1)))
    await _sent(rig)
    headers, raw = rig.stub.raw[-1]
    assert (headers["fspiop-uri"], headers["fspiop-http-method"]) == ("/quotes", "POST")
    assert headers["content-type"] == "application/vnd.interoperability.quotes+json;version=1.1"
    assert headers["fspiop-source"] == GATEWAY and headers["fspiop-destination"] == PAYEE_FSP
    jws.verify(jws.load_public_key(rig.key.as_pem(private=False)), "POST", "/quotes", headers, raw)
    with pytest.raises(jws.JwsError):
        jws.verify(jws.load_public_key(rig.key.as_pem(private=False)), "POST", "/quotes", headers, raw.replace(b"1000", b"9000"))
    step.cancel()
