"""A transfer id planted by the payee FSP: an id of the gateway's, claimed on its payee side or at the hub first.

As a payer the gateway once sent its transfer under the quote's ``transactionId``, which the payee FSP learns
from ``POST /quotes``. A hostile payee FSP sending ``POST /transfers`` under that id first put it in the payee
side's book; the server then took every ``PUT /transfers/{ID}/error`` about it for the payee side's: the
hub's abort of the gateway's own transfer was recorded on the planted row, the payee FSP's rejection was
refused (3100), and the payout never learnt its end (pending until the Inzira hashlock expired). Now an id
the payer issued is refused in a ``POST /transfers`` (3106) and its callbacks reach the payer. And the transfer
goes out under a fresh id that nothing before it disclosed, so the payee FSP cannot register it at the hub first
(which would get the gateway's transfer refused there as a duplicate).

Same rig as the payer callback tests (a stub hub on loopback, the gateway's real FSPIOP routes, the test
playing the hub and the payee FSP), with the real eKash payout route and its SQLite book.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from inzira.interop.mojaloop.ekash_route import EkashRoute
from inzira.interop.mojaloop.payer import Payer, PayerConfig
from inzira.interop.mojaloop.payer_answers import iso_ms
from inzira.remit.payout import PayoutStatus
from tests.mojaloop.test_mojaloop_payer_callbacks import (  # noqa: F401 (rig, anyio_backend: fixtures)
    GATEWAY,
    PARTY,
    PAYEE_FSP,
    WAIT_S,
    Rig,
    _headers,
    _put,
    _quote_answer,
    _sent,
    anyio_backend,
    rig,
)

FULFILMENT = bytes([9]) * 32
MSISDN = "+" + PARTY.id_value
QUOTE_ID = "4c1f7a52-8e4b-4c3b-9a55-00000000a001"  # the Inzira remittance quote the payout is for
AMOUNT = 1000
ABORT = {"errorInformation": {"errorCode": "5105", "errorDescription": "Payee FSP rejected transaction"}}


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


async def _plant(rig: Rig, transfer_id: str, packet: str, condition: str) -> httpx.Response:
    """The payee FSP, as a payer FSP paying Inzira, sends a transfer under the gateway's own id."""
    body = {"transferId": transfer_id, "payerFsp": PAYEE_FSP, "payeeFsp": GATEWAY,
            "amount": {"amount": "1", "currency": "RWF"}, "ilpPacket": packet, "condition": condition,
            "expiration": iso_ms(datetime.now(UTC) + timedelta(minutes=1))}
    headers = {**_headers("transfers"), "Accept": "application/vnd.interoperability.transfers+json;version=1.1"}
    async with httpx.AsyncClient(timeout=WAIT_S) as client:
        return await client.post(f"{rig.gateway_url}/fspiop/transfers", content=json.dumps(body), headers=headers)


async def _quote_and_plant(rig: Rig, route: EkashRoute, plant_while_quoting: bool) -> tuple[str, httpx.Response]:
    """The route quotes the wallet with the payee FSP; the payee FSP plants the transaction id it learnt, while
    the quote is in flight or once it is agreed. (the planted id, the gateway's answer to the plant)"""
    quoting = asyncio.create_task(route.hashlock(QUOTE_ID, MSISDN, AMOUNT, "RWF", False, "sender",
                                                 _now_ms() + 60_000))
    method, path, _ = await _sent(rig)
    assert (method, path) == ("GET", f"/parties/MSISDN/{PARTY.id_value}")
    party = {"party": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": PARTY.id_value,
                                       "fspId": PAYEE_FSP}, "name": PARTY.name}}
    assert (await _put(rig, path, party, _headers("parties"))).status_code == 200
    _, _, request = await _sent(rig)
    transfer_id = request["transactionId"]
    answer = _quote_answer(request, FULFILMENT)
    planted = None
    if plant_while_quoting:
        planted = await _plant(rig, transfer_id, answer["ilpPacket"], answer["condition"])
    assert (await _put(rig, f"/quotes/{request['quoteId']}", answer, _headers("quotes"))).status_code == 200
    await asyncio.wait_for(quoting, WAIT_S)
    if planted is None:
        planted = await _plant(rig, transfer_id, answer["ilpPacket"], answer["condition"])
    return transfer_id, planted


@pytest.mark.anyio
@pytest.mark.parametrize("plant_while_quoting", [True, False])
@pytest.mark.parametrize("source", ["switch", PAYEE_FSP])
async def test_a_planted_transfer_id_is_refused_and_the_payout_still_learns_its_abort(
        rig: Rig, tmp_path: Path, plant_while_quoting: bool, source: str) -> None:
    route = EkashRoute(rig.payer, tmp_path / "ekash-payer.db")
    try:
        planted_id, planted = await _quote_and_plant(rig, route, plant_while_quoting)
        assert planted.status_code == 400, planted.text
        refused = planted.json()["errorInformation"]
        assert refused["errorCode"] == "3106" and planted_id in refused["errorDescription"]

        payout = asyncio.create_task(route.start("ref-1", MSISDN, AMOUNT, "RWF", QUOTE_ID,
                                                 deadline_ms=_now_ms() + 30_000))
        method, _, request = await _sent(rig)
        transfer_id = request["transferId"]
        assert method == "POST" and transfer_id != planted_id  # the hub has not seen it: nothing could plant it
        # The transfer is rejected (the hub's own abort, or the payee FSP's forwarded under its id): the payer
        # hears it and asks the hub, whose confirmation ends the payout, long before its expiry.
        said = await _put(rig, f"/transfers/{transfer_id}/error", ABORT, _headers("transfers", source=source))
        assert said.status_code == 200, said.text
        method, path, _ = await _sent(rig)
        assert (method, path) == ("GET", f"/transfers/{transfer_id}")
        hub_view = {"transferState": "ABORTED", "completedTimestamp": iso_ms(datetime.now(UTC))}
        confirmed = await _put(rig, f"/transfers/{transfer_id}", hub_view, _headers("transfers", source="switch"))
        assert confirmed.status_code == 200
        state = await asyncio.wait_for(payout, WAIT_S)
        assert (state.status, state.reason) == (PayoutStatus.FAILED, "MOJALOOP_5105")
    finally:
        route.state.close()


@pytest.mark.anyio
async def test_an_id_the_route_quoted_stays_its_own_after_a_restart(rig: Rig, tmp_path: Path) -> None:
    state_file = tmp_path / "ekash-payer.db"
    route = EkashRoute(rig.payer, state_file)
    try:
        transaction_id, _ = await _quote_and_plant(rig, route, plant_while_quoting=False)
        kept = route.state.get(QUOTE_ID)
        assert kept is not None
        transfer_id = kept[1].transfer_id
        assert transfer_id != transaction_id
    finally:
        route.state.close()
    restarted = EkashRoute(Payer(PayerConfig(GATEWAY, "http://127.0.0.1:9")), state_file)
    try:
        # from its book: nothing in memory after a restart
        assert restarted.payer.owns(transaction_id) and restarted.payer.owns(transfer_id)
        assert not restarted.payer.owns("0f6bd3f6-4d1b-4ba5-8a4d-6b5f33a1c9d2")
    finally:
        await restarted.aclose()
