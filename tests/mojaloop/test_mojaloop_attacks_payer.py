"""Forged answers to the gateway's payer side: none may end an eKash payout early or move it elsewhere.

An abort that ends the Inzira leg releases its hashlock reservation; if eKash still commits, the payout is paid
twice. So a transfer error or abort is taken only from the hub or the transfer's payee FSP, and even then only
after the hub confirms it (``GET /transfers/{ID}``); a fulfilment that does not open the condition is set
aside; quotes and parties are answered only by the hub or the FSP asked. Same rig as the payer callback tests:
a stub hub on loopback, the real FSPIOP routes, the test playing the hub's side.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest

from inzira.interop.mojaloop import ilp
from inzira.interop.mojaloop.payer_answers import QuoteTerms, iso_ms
from tests.mojaloop.test_mojaloop_payer_callbacks import (  # noqa: F401 (rig, anyio_backend: fixtures)
    PARTY,
    SENDER,
    Rig,
    _headers,
    _put,
    _quote_answer,
    _sent,
    _terms,
    anyio_backend,
    rig,
)

FULFILMENT = bytes([9]) * 32
ABORT = {"errorInformation": {"errorCode": "5105", "errorDescription": "Payee FSP rejected transaction"}}


def _committed(fulfilment: bytes = FULFILMENT) -> dict[str, str]:
    return {"transferState": "COMMITTED", "fulfilment": ilp.b64url_encode(fulfilment),
            "completedTimestamp": iso_ms(datetime.now(UTC))}


async def _transfer(rig: Rig, seconds: int = 30) -> tuple[asyncio.Task, str]:
    terms = await _terms(rig, FULFILMENT)
    step = asyncio.create_task(rig.payer.transfer(terms, datetime.now(UTC) + timedelta(seconds=seconds)))
    _, _, request = await _sent(rig)
    return step, request["transferId"]


async def _get_sent(rig: Rig, transfer_id: str) -> None:
    method, path, _ = await _sent(rig)
    assert (method, path) == ("GET", f"/transfers/{transfer_id}")


@pytest.mark.anyio
async def test_a_transfer_error_from_a_stranger_is_refused_and_the_transfer_still_commits(rig: Rig) -> None:
    step, transfer_id = await _transfer(rig)
    forged = await _put(rig, f"/transfers/{transfer_id}/error", ABORT, _headers("transfers", source="evilfsp"))
    assert forged.status_code == 400 and forged.json()["errorInformation"]["errorCode"] == "3100"
    assert not step.done()
    assert (await _put(rig, f"/transfers/{transfer_id}", _committed(), _headers("transfers"))).status_code == 200
    outcome = await step
    assert (outcome.state, outcome.fulfilment) == ("COMMITTED", FULFILMENT)


@pytest.mark.anyio
@pytest.mark.parametrize("source", ["switch", "ekashpayee"])
async def test_an_abort_the_hub_does_not_confirm_leaves_the_payout_pending(rig: Rig, source: str) -> None:
    step, transfer_id = await _transfer(rig)
    said = await _put(rig, f"/transfers/{transfer_id}/error", ABORT, _headers("transfers", source=source))
    assert said.status_code == 200
    await _get_sent(rig, transfer_id)  # the stub hub never answers the confirmation
    outcome = await step
    assert outcome.state == "UNKNOWN" and outcome.failure is not None and outcome.failure.code == "5105"


@pytest.mark.anyio
async def test_an_abort_the_hub_confirms_ends_the_transfer_aborted(rig: Rig) -> None:
    step, transfer_id = await _transfer(rig)
    assert (await _put(rig, f"/transfers/{transfer_id}/error", ABORT, _headers("transfers"))).status_code == 200
    await _get_sent(rig, transfer_id)
    hub_view = {"transferState": "ABORTED", "completedTimestamp": iso_ms(datetime.now(UTC))}
    answer = await _put(rig, f"/transfers/{transfer_id}", hub_view, _headers("transfers", source="switch"))
    assert answer.status_code == 200
    outcome = await step
    assert outcome.state == "ABORTED" and outcome.failure is not None and outcome.failure.code == "5105"


@pytest.mark.anyio
async def test_the_payee_fsp_cannot_confirm_its_own_abort(rig: Rig) -> None:
    step, transfer_id = await _transfer(rig)
    assert (await _put(rig, f"/transfers/{transfer_id}/error", ABORT, _headers("transfers"))).status_code == 200
    await _get_sent(rig, transfer_id)
    view = {"transferState": "ABORTED", "completedTimestamp": iso_ms(datetime.now(UTC))}
    answer = await _put(rig, f"/transfers/{transfer_id}", view, _headers("transfers"))  # from ekashpayee
    assert answer.status_code == 400 and answer.json()["errorInformation"]["errorCode"] == "3100"
    outcome = await step
    assert outcome.state == "UNKNOWN"


@pytest.mark.anyio
async def test_an_abort_the_hub_contradicts_with_a_fulfilment_commits(rig: Rig) -> None:
    step, transfer_id = await _transfer(rig)
    aborted = {"transferState": "ABORTED"}
    assert (await _put(rig, f"/transfers/{transfer_id}", aborted, _headers("transfers"))).status_code == 200
    await _get_sent(rig, transfer_id)
    answer = await _put(rig, f"/transfers/{transfer_id}", _committed(), _headers("transfers", source="switch"))
    assert answer.status_code == 200
    outcome = await step
    assert (outcome.state, outcome.fulfilment) == ("COMMITTED", FULFILMENT)


@pytest.mark.anyio
async def test_a_forged_fulfilment_is_set_aside_and_the_real_one_commits(rig: Rig) -> None:
    step, transfer_id = await _transfer(rig)
    forged = _committed(bytes([7]) * 32)
    assert (await _put(rig, f"/transfers/{transfer_id}", forged, _headers("transfers"))).status_code == 200
    async with asyncio.timeout(10):  # the server hands a callback on after its 200
        while not any(entry.key == transfer_id for entry in rig.payer.late):
            await asyncio.sleep(0.02)
    assert not step.done()
    assert (await _put(rig, f"/transfers/{transfer_id}", _committed(), _headers("transfers"))).status_code == 200
    outcome = await step
    assert (outcome.state, outcome.fulfilment) == ("COMMITTED", FULFILMENT)


@pytest.mark.anyio
async def test_a_quote_answer_from_a_stranger_is_refused(rig: Rig) -> None:
    step = asyncio.create_task(rig.payer.quote(PARTY, SENDER, 1000, "RWF", datetime.now(UTC) + timedelta(minutes=1)))
    _, _, request = await _sent(rig)
    path = f"/quotes/{request['quoteId']}"
    forged = await _put(rig, path, _quote_answer(request, bytes(32)), _headers("quotes", source="evilfsp"))
    assert forged.status_code == 400 and forged.json()["errorInformation"]["errorCode"] == "3100"
    refusal = {"errorInformation": {"errorCode": "5101", "errorDescription": "refused"}}
    forged = await _put(rig, f"{path}/error", refusal, _headers("quotes", source="evilfsp"))
    assert forged.status_code == 400 and forged.json()["errorInformation"]["errorCode"] == "3100"
    assert not step.done()
    assert (await _put(rig, path, _quote_answer(request, bytes(32)), _headers("quotes"))).status_code == 200
    assert isinstance(await step, QuoteTerms)


@pytest.mark.anyio
async def test_a_party_answer_from_an_fsp_it_does_not_name_is_refused(rig: Rig) -> None:
    step = asyncio.create_task(rig.payer.lookup("MSISDN", "250788000001"))
    await _sent(rig)
    party = {"party": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "250788000001",
                                       "fspId": "ekashpayee"}, "name": "Jeanne Uwase"}}
    path = "/parties/MSISDN/250788000001"
    forged = await _put(rig, path, party, _headers("parties", source="evilfsp"))
    assert forged.status_code == 400 and forged.json()["errorInformation"]["errorCode"] == "3100"
    assert not step.done()
    assert (await _put(rig, path, party, _headers("parties"))).status_code == 200
    found = await step
    assert found.fsp_id == "ekashpayee"  # type: ignore[union-attr]


def _hold(rig: Rig) -> threading.Event:
    """Hold the gateway's loop, where each callback admitted with its 200 is handed to the payer, until set: the
    work queued behind it waits (a task among the gateway's tasks, so the order of hand-ons is kept)."""
    gate = threading.Event()

    async def held() -> None:
        gate.wait(10)

    assert rig.gateway.admit()
    rig.gateway.run(held())
    return gate


@pytest.mark.anyio
async def test_an_abort_admitted_while_the_payee_fsp_may_answer_cannot_be_taken_as_the_hubs_confirmation(
        rig: Rig) -> None:
    """The payee FSP's second abort is admitted while the transfer's wait still takes its answers, and handed on
    once the payer waits for the hub's confirmation alone: it is checked again there, never taken as the hub's."""
    step, transfer_id = await _transfer(rig)
    first = _hold(rig)
    assert (await _put(rig, f"/transfers/{transfer_id}/error", ABORT, _headers("transfers"))).status_code == 200
    await asyncio.sleep(0.3)  # its hand-on is queued (after the 200) behind the hold
    second = _hold(rig)
    view = {"transferState": "ABORTED", "completedTimestamp": iso_ms(datetime.now(UTC))}
    assert (await _put(rig, f"/transfers/{transfer_id}", view, _headers("transfers"))).status_code == 200
    await asyncio.sleep(0.3)
    first.set()
    await _get_sent(rig, transfer_id)  # the payer now waits for the hub's answer only
    second.set()
    outcome = await step
    assert outcome.state == "UNKNOWN"  # the stub hub never confirms: the Inzira leg ends at its expiry
    assert any(entry.key == transfer_id and not entry.error for entry in rig.payer.late)


@pytest.mark.anyio
async def test_a_status_ask_the_hub_refuses_or_shares_is_never_read_as_an_abort(rig: Rig) -> None:
    """A ``GET /transfers/{ID}`` the hub refuses (400) says nothing of the transfer, nor does one that could not be
    sent: UNKNOWN, never ABORTED, which would release the Inzira leg while eKash may still commit. Two asks at
    once (the payout's poll and a reconciliation pass) share one GET."""
    terms = await _terms(rig, FULFILMENT)
    expiration = datetime.now(UTC) + timedelta(seconds=2)
    assert (await rig.payer.transfer(terms, expiration)).state == "UNKNOWN"  # no answer, nor to its GET
    rig.stub.arrived.clear()
    rig.stub.refusals.append(b'{"errorInformation": {"errorCode": "3100", "errorDescription": "try later"}}')
    refused = await rig.payer.ask(terms, expiration)
    assert refused.state == "UNKNOWN" and refused.failure is not None and refused.failure.code == "3100"
    await _get_sent(rig, terms.transfer_id)
    first = asyncio.create_task(rig.payer.ask(terms, expiration))
    await _get_sent(rig, terms.transfer_id)
    assert (await rig.payer.ask(terms, expiration)).state == "UNKNOWN"
    assert (await first).state == "UNKNOWN"
    assert [method for method, _, _ in rig.stub.requests].count("GET") == 3  # the transfer's own, two asks


@pytest.mark.anyio
async def test_a_lookup_already_in_flight_is_joined_not_refused(rig: Rig) -> None:
    """Two remittances to one number at once each look it up: the second shares the first's answer. Refused
    (3106, "already in flight"), anyone quoting a number over and over would keep its other senders from paying."""
    first = asyncio.create_task(rig.payer.lookup("MSISDN", "250788000001"))
    await _sent(rig)
    second = asyncio.create_task(rig.payer.lookup("MSISDN", "250788000001"))
    await asyncio.sleep(0.2)
    assert not second.done()
    party = {"party": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "250788000001",
                                       "fspId": "ekashpayee"}, "name": "Jeanne Uwase"}}
    assert (await _put(rig, "/parties/MSISDN/250788000001", party, _headers("parties"))).status_code == 200
    for step in (first, second):
        found = await step
        assert found.fsp_id == "ekashpayee", found  # type: ignore[union-attr]
    assert [path for _, path, _ in rig.stub.requests] == ["/parties/MSISDN/250788000001"]
