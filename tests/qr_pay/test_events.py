"""Real time: the merchant's and the bill's event streams turn "paid" from a payment, the wallet's hears
top-ups, payments and refunds; a reconnecting stream resumes after its last event id; one merchant's streams
take a share of the server's, never all of them."""

from __future__ import annotations

import json
import threading
from contextlib import ExitStack, closing

import httpx

from tests.qr_pay.conftest import TEST_SETTINGS
from tests.qr_pay.helpers import Qr

EVENT_TIMEOUT_S = 10.0


def test_merchant_stream_hears_a_payment(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    path = f"/v1/qr/merchants/{merchant['merchant_id']}/events"
    with qr.stream(path, merchant["merchant_token"]) as events:
        payment = qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 2_500)
        frame = events.wait_for(lambda f: f["event"] == "payment.completed", EVENT_TIMEOUT_S)
    data = frame["data"]
    assert data["type"] == "payment.completed" and data["event_id"] == int(frame["id"])
    assert data["data"]["payment_id"] == payment["payment_id"] and data["data"]["amount_minor"] == 2_500
    assert "wallet_id" not in data["data"]  # the merchant's view does not name the visitor's wallet


def test_pos_bill_stream_starts_with_status_and_turns_paid(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("USD", 50_000)
    bill = qr.bill(merchant, 6_000)
    path = f"/v1/qr/merchants/{merchant['merchant_id']}/bills/{bill['bill_id']}/events"
    with qr.stream(path, merchant["merchant_token"]) as events:
        first = events.wait_for(lambda f: True, EVENT_TIMEOUT_S)
        assert first["event"] == "bill" and first["data"]["status"] == "open"
        payer = threading.Thread(target=qr.quote_and_pay, args=(wallet, bill["payload"]))
        payer.start()
        paid = events.wait_for(lambda f: f["event"] == "payment.completed", EVENT_TIMEOUT_S)
        payer.join(EVENT_TIMEOUT_S)
    assert paid["data"]["data"]["bill_id"] == bill["bill_id"] and paid["data"]["data"]["status"] == "completed"
    with qr.stream(path, merchant["merchant_token"]) as late:  # a POS that connects afterwards still knows
        assert late.wait_for(lambda f: True, EVENT_TIMEOUT_S)["data"]["status"] == "paid"


def test_wallet_stream_and_resume_after_last_event_id(qr: Qr) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY")
    path = f"/v1/qr/wallets/{wallet['wallet_id']}/events"
    with qr.stream(path, wallet["wallet_token"]) as events:
        qr.top_up(wallet, 20_000)
        topup = events.wait_for(lambda f: f["event"] == "topup.completed", EVENT_TIMEOUT_S)
    qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 1_000)  # while no stream is open
    with qr.stream(path, wallet["wallet_token"], after=topup["id"]) as resumed:
        missed = resumed.wait_for(lambda f: f["event"] == "payment.completed", EVENT_TIMEOUT_S)
    assert int(missed["id"]) > int(topup["id"]) and missed["data"]["data"]["merchant_name"] == merchant["name"]


def test_streams_are_private(qr: Qr) -> None:
    merchant, other = qr.merchant(), qr.merchant("Other")
    response = qr.client().get(f"/v1/qr/merchants/{merchant['merchant_id']}/events",
                               params={"ticket": qr.ticket(other["merchant_token"])})
    assert response.status_code == 404 and response.json()["code"] == 3250


def _opened(client: httpx.Client, stack: ExitStack, path: str, ticket: str) -> httpx.Response:
    """A stream once the server has subscribed it (its first line, retry:, comes after that), or its refusal.
    The stack keeps its line reader too: a reader dropped half-way closes its connection."""
    response = stack.enter_context(client.stream("GET", path, params={"ticket": ticket}))
    if response.status_code == 200:
        lines = stack.enter_context(closing(response.iter_lines()))
        assert next(lines).startswith("retry:")
    return response


def test_one_merchant_cannot_hold_every_stream(qr: Qr) -> None:
    merchant, other = qr.merchant(), qr.merchant("Other")
    bill = qr.bill(merchant, 1_000)
    own, bill_path = f"/v1/qr/merchants/{merchant['merchant_id']}/events", bill["events_url"]
    share = TEST_SETTINGS.streams_per_owner_max
    with httpx.Client(base_url=qr.base_url, timeout=EVENT_TIMEOUT_S) as client, ExitStack() as stack:
        ticket = qr.ticket(merchant["merchant_token"])
        for i in range(share):  # its own stream and its bills' count together
            assert _opened(client, stack, bill_path if i % 2 else own, ticket).status_code == 200
        for path in (own, bill_path):
            refused = _opened(client, stack, path, ticket)
            assert refused.status_code == 503 and refused.headers["retry-after"]
            assert json.loads(refused.read())["code"] == 2005
        other_stream = _opened(client, stack, f"/v1/qr/merchants/{other['merchant_id']}/events",
                               qr.ticket(other["merchant_token"]))
        assert other_stream.status_code == 200  # the other merchant's POS still hears its payments
