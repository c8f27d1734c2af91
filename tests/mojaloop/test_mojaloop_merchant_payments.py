"""eKash payers paying Inzira merchants show up on the merchant's side like any other payment: in its payment
list and statement (payer: the eKash FSP and the masked payer), on its event stream; a refund is refused (3161).
A real demo with the gateway; the test plays the hub (payee_env's recording hub)."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from inzira.interop.mojaloop.merchant_payments import REPLAY_WINDOW_MS, replay
from inzira.qr.external import IncomingPayment, NotRecorded
from tests.mojaloop.payee_env import HTTP_TIMEOUT_S, PAYER_FSP, bench, quote_body, transfer_body  # noqa: F401

WAIT_S = 20.0


def pay_merchant(bench, amount: str) -> str:  # noqa: F811
    """An eKash payer pays the demo merchant ``amount`` RWF: the Mojaloop transfer id."""
    merchant = bench.demo.qr_demo
    quote = quote_body(merchant.merchant_id, amount=amount, id_type="BUSINESS")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    answer = bench.hub.take(f"/quotes/{quote['quoteId']}").body
    transfer = transfer_body(quote, answer)
    assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
    assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
    return transfer["transferId"]


def merchant_api(bench) -> httpx.Client:  # noqa: F811
    return httpx.Client(base_url=bench.demo.url.rstrip("/"), timeout=HTTP_TIMEOUT_S,
                        headers={"Authorization": f"Bearer {bench.demo.qr_demo.merchant_token}"})


def line_of(client: httpx.Client, merchant_id: str, transfer_id: str) -> dict | None:
    statement = client.get(f"/v1/qr/merchants/{merchant_id}/statement", params={"limit": 100}).json()
    return next((p for p in statement["payments"] if p["memo"] == f"FSPIOP transfer {transfer_id}"), None)


def wait_line(client: httpx.Client, merchant_id: str, transfer_id: str) -> dict:
    deadline = time.monotonic() + WAIT_S
    while (line := line_of(client, merchant_id, transfer_id)) is None:
        if time.monotonic() > deadline:
            pytest.fail(f"transfer {transfer_id} never reached the merchant's statement")
        time.sleep(0.05)
    return line


def test_an_ekash_payment_is_in_the_merchants_statement_with_its_payer_masked(bench):  # noqa: F811
    merchant_id = bench.demo.qr_demo.merchant_id
    transfer_id = pay_merchant(bench, "2600")
    with merchant_api(bench) as client:
        line = wait_line(client, merchant_id, transfer_id)
        assert line["amount_minor"] == 2600 and line["status"] == "completed"
        assert line["payer"] == f"eKash · {PAYER_FSP} · ********789"
        assert "44123456789" not in str(line)
        pending = bench.demo.runtime.node.pending(bytes.fromhex(bench.demo.gateway.store.transfer(transfer_id)
                                                                .pending_id))
        assert line["tx_id"] == pending.resolved_by_tx.hex() and line["height"] > 0
        one = client.get(f"/v1/qr/merchants/{merchant_id}/payments/{line['payment_id']}").json()
        assert one["payer"] == line["payer"]
        assert client.get(f"/v1/qr/merchants/{merchant_id}/payments/{line['payment_id']}/receipt").status_code == 200


def test_a_refund_of_an_ekash_payment_is_refused_with_3161_and_nothing_moves(bench):  # noqa: F811
    merchant_id = bench.demo.qr_demo.merchant_id
    transfer_id = pay_merchant(bench, "1700")
    node = bench.demo.runtime.node
    account = bench.demo.qr.directory.merchant(merchant_id).account
    with merchant_api(bench) as client:
        line = wait_line(client, merchant_id, transfer_id)
        before = node.account(account).balance_minor
        refused = client.post(f"/v1/qr/merchants/{merchant_id}/payments/{line['payment_id']}/refunds",
                              json={"amount_minor": 100})
        assert refused.status_code == 409 and refused.json()["code"] == 3161, refused.text
        assert node.account(account).balance_minor == before


def test_a_resent_transfer_is_one_payment(bench):  # noqa: F811
    merchant = bench.demo.qr_demo
    quote = quote_body(merchant.merchant_id, amount="900", id_type="BUSINESS")
    assert bench.send("POST", "/quotes", "quotes", quote).status_code == 202
    transfer = transfer_body(quote, bench.hub.take(f"/quotes/{quote['quoteId']}").body)
    for _ in range(2):
        assert bench.send("POST", "/transfers", "transfers", transfer).status_code == 202
        assert bench.hub.take(f"/transfers/{transfer['transferId']}").body["transferState"] == "COMMITTED"
    bench.demo.qr.writer.submit(lambda _tx: None).result(WAIT_S)  # the store's jobs run in order
    with merchant_api(bench) as client:
        wait_line(client, merchant.merchant_id, transfer["transferId"])
        statement = client.get(f"/v1/qr/merchants/{merchant.merchant_id}/statement", params={"limit": 100}).json()
    memos = [p["memo"] for p in statement["payments"]]
    assert memos.count(f"FSPIOP transfer {transfer['transferId']}") == 1


def test_what_the_ledger_does_not_show_posted_to_the_merchant_is_never_recorded(bench):  # noqa: F811
    """A forged or mistaken report (wrong amount, another merchant's account, a made-up pending id) records
    nothing: the merchant's side believes the ledger, not the gateway."""
    merchant_id = bench.demo.qr_demo.merchant_id
    transfer_id = pay_merchant(bench, "1100")
    pending_id = bytes.fromhex(bench.demo.gateway.store.transfer(transfer_id).pending_id)
    record = bench.demo.qr.external.record
    forged = [IncomingPayment(str(uuid.uuid4()), PAYER_FSP, "44123456789", merchant_id, 1_100_000, "RWF", pending_id),
              IncomingPayment(str(uuid.uuid4()), PAYER_FSP, "44123456789", merchant_id, 1100, "RWF", b"\x01" * 32),
              IncomingPayment(str(uuid.uuid4()), PAYER_FSP, "44123456789", merchant_id, 1100, "EUR", pending_id),
              IncomingPayment(str(uuid.uuid4()), PAYER_FSP, "x" * 200, merchant_id, 1100, "RWF", pending_id),
              IncomingPayment(str(uuid.uuid4()), PAYER_FSP, "44123456789", "m-nobody", 1100, "RWF", pending_id)]
    for incoming in forged:
        with pytest.raises(NotRecorded):
            record(incoming)
    # The same commit reported again under another transfer id (and a payer FSP id with a "/") is not a second
    # payment.
    again = IncomingPayment(str(uuid.uuid4()), "evil/fsp", "44123456789", merchant_id, 1100, "RWF", pending_id)
    assert record(again).result(timeout=10) is None


def test_a_payment_the_merchants_side_missed_is_replayed_once(bench):  # noqa: F811
    """The process stopped between the gateway's commit and the QR service's record: the replay made when the
    gateway starts records it, once however often it runs."""
    merchant_id = bench.demo.qr_demo.merchant_id
    gateway = bench.demo.gateway
    hook = gateway.transfers.on_committed
    gateway.transfers.on_committed = None
    try:
        transfer_id = pay_merchant(bench, "1300")
    finally:
        gateway.transfers.on_committed = hook
    with merchant_api(bench) as client:
        assert line_of(client, merchant_id, transfer_id) is None
        now_ms = time.time_ns() // 1_000_000
        for _ in range(2):
            assert replay(gateway.store, hook, now_ms - REPLAY_WINDOW_MS, now_ms + 1) >= 1
        bench.demo.qr.writer.submit(lambda _tx: None).result(WAIT_S)  # the store's jobs run in order: both ran
        wait_line(client, merchant_id, transfer_id)
        statement = client.get(f"/v1/qr/merchants/{merchant_id}/statement", params={"limit": 100}).json()
    assert [p["memo"] for p in statement["payments"]].count(f"FSPIOP transfer {transfer_id}") == 1


def test_the_pos_live_feed_is_the_signed_in_merchants_only_and_starts_with_todays_payments(bench):  # noqa: F811
    base = bench.demo.url.rstrip("/")
    with httpx.Client(base_url=base, timeout=HTTP_TIMEOUT_S) as anonymous:
        assert anonymous.get("/qr/pos/events").status_code == 401
    transfer_id = pay_merchant(bench, "1200")
    with merchant_api(bench) as client:
        payment_id = wait_line(client, bench.demo.qr_demo.merchant_id, transfer_id)["payment_id"]
    with httpx.Client(base_url=base, timeout=HTTP_TIMEOUT_S) as pos:
        assert pos.post("/qr/pos/sign-in", data={"demo": "1"}).status_code == 303
        seen: list[str] = []
        with pos.stream("GET", "/qr/pos/events") as stream:
            assert stream.status_code == 200
            for line in stream.iter_lines():
                seen.append(line)
                if line == "event: ready" or len(seen) > 1_000:
                    break
    rows = [json.loads(line[len("data: "):]) for line in seen if line.startswith("data: {\"payment_id\"")]
    mine = [row for row in rows if row["payment_id"] == payment_id]
    assert seen[-1] == "event: ready" and len(mine) == 1
    assert f"eKash · {PAYER_FSP} · ********789" in mine[0]["html"]


def test_a_refund_form_posted_for_an_ekash_payment_is_refused_on_the_page(bench):  # noqa: F811
    """No refund form is shown for it; one posted anyway (a crafted request) gets the 3161 notice."""
    merchant_id = bench.demo.qr_demo.merchant_id
    transfer_id = pay_merchant(bench, "800")
    with merchant_api(bench) as client:
        payment_id = wait_line(client, merchant_id, transfer_id)["payment_id"]
    with httpx.Client(base_url=bench.demo.url.rstrip("/"), timeout=HTTP_TIMEOUT_S) as pos:
        assert pos.post("/qr/pos/sign-in", data={"demo": "1"}).status_code == 303
        page = pos.get(f"/qr/pos/payments/{payment_id}")
        assert page.status_code == 200 and 'id="refund"' not in page.text and "data-no-refund" in page.text
        refused = pos.post(f"/qr/pos/payments/{payment_id}/refunds", data={"amount": "100"})
    assert refused.status_code == 409 and 'data-notice="3161"' in refused.text
    assert "not refunded here" in refused.text
