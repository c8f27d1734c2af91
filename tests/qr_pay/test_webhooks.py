"""The acquirer's webhook: every payment and refund of its merchants, signed with its key, received and
verified by a real local server against the public key in the network's genesis."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from inzira.api.server import serve_in_thread
from inzira.notify.webhooks import (ATTEMPTS_MAX, BACKOFF_MAX_MS, BACKOFF_MS, SIGNATURE_HEADER, TIMEOUT_MS,
                                    WebhookSignatureError, verify_signature)
from inzira.qr.api.answers import WebhookOut
from tests.qr_pay.helpers import Qr, created, ok, problem

# As long as the sender itself keeps trying (each attempt's timeout, then its backoff): a loaded machine may
# need a retry or two, and the wait ends as soon as the event is in.
DELIVERY_DEADLINE_S = sum(TIMEOUT_MS + min(BACKOFF_MAX_MS, BACKOFF_MS * 2 ** n) for n in range(ATTEMPTS_MAX)) / 1000


class Receiver:
    def __init__(self, public_keys: dict[str, bytes]) -> None:
        self.public_keys = public_keys
        self.events: list[dict] = []
        self.refused: list[str] = []
        self.arrived = threading.Condition()

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hooks")
        async def hook(request: Request) -> JSONResponse:
            body = await request.body()
            try:
                verify_signature(body, request.headers.get(SIGNATURE_HEADER), self.public_keys,
                                 time.time_ns() // 1_000_000)
            except WebhookSignatureError as exc:
                with self.arrived:
                    self.refused.append(str(exc))
                return JSONResponse({"error": str(exc)}, status_code=401)
            with self.arrived:
                self.events.append(json.loads(body))
                self.arrived.notify_all()
            return JSONResponse({"ok": True})

        return app

    def wait_for(self, kind: str, key: str, value: str, why_not: Callable[[], object]) -> dict:
        deadline = time.monotonic() + DELIVERY_DEADLINE_S
        with self.arrived:
            while True:
                found = [e for e in self.events if e["type"] == kind and e["data"].get(key) == value]
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {kind} webhook for {value} in {DELIVERY_DEADLINE_S} s: {why_not()}")
                self.arrived.wait(left)


@pytest.fixture(scope="module")
def receiver(qr: Qr) -> Iterator[Receiver]:
    genesis_keys = {m.id: bytes.fromhex(m.keys[0]) for m in qr.genesis.members}
    receiver = Receiver({"ubumwe": genesis_keys["ubumwe"]})
    served, _ = serve_in_thread(receiver.app())
    try:
        registered = ok(qr.ubumwe.put("/v1/qr/acquirers/ubumwe/webhook", json={"url": f"{served.base_url}/hooks"}))
        WebhookOut.model_validate(registered)
        assert registered["key_id"] == "ubumwe" and registered["public_key"] == genesis_keys["ubumwe"].hex()
        yield receiver
    finally:
        served.stop()


def sender_stats(qr: Qr) -> object:
    """Where the acquirer's deliveries stand (for a wait that timed out)."""
    service = qr.server.service
    return None if service is None else service.hooks.stats("ubumwe")


def test_payment_and_refund_webhooks_are_signed_by_the_acquirer(qr: Qr, receiver: Receiver) -> None:
    merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
    payment = qr.quote_and_pay(wallet, merchant["static_qr"]["payload"], 4_200)
    paid = receiver.wait_for("payment.completed", "payment_id", payment["payment_id"], lambda: sender_stats(qr))
    assert paid["acquirer"] == "ubumwe" and paid["id"].startswith("evt_")
    assert paid["data"]["merchant_id"] == merchant["merchant_id"] and paid["data"]["amount_minor"] == 4_200
    refund = created(qr.pos(merchant).post(f"/v1/qr/merchants/{merchant['merchant_id']}/payments/"
                                           f"{payment['payment_id']}/refunds", json={"amount_minor": 200}))
    refunded = receiver.wait_for("refund.completed", "refund_id", refund["refund_id"], lambda: sender_stats(qr))
    assert refunded["data"]["payment_id"] == payment["payment_id"]
    with receiver.arrived:
        assert receiver.refused == []


def test_only_the_acquirer_manages_its_webhook(qr: Qr, receiver: Receiver) -> None:
    problem(qr.silkpay.put("/v1/qr/acquirers/ubumwe/webhook", json={"url": "http://127.0.0.1:9/x"}), 403, 4300)
    problem(qr.ubumwe.put("/v1/qr/acquirers/ubumwe/webhook", json={"url": "ftp://example.org/hooks"}), 400, 3100)
    assert ok(qr.ubumwe.get("/v1/qr/acquirers/ubumwe/webhook"))["url"].endswith("/hooks")


@pytest.mark.parametrize("url", ["http://127.0.0.2:9/hooks", "http://[::1]:9/hooks", "http://10.1.2.3/hooks",
                                 "http://169.254.169.254/latest/meta-data/"])
def test_webhooks_to_non_public_addresses_are_refused(qr: Qr, receiver: Receiver, url: str) -> None:
    """Only 127.0.0.1 (the tests' receiver) is allow-listed; the registered URL stays the receiver's."""
    body = problem(qr.ubumwe.put("/v1/qr/acquirers/ubumwe/webhook", json={"url": url}), 400, 3100)
    assert "not a public address" in body["detail"]
    assert ok(qr.ubumwe.get("/v1/qr/acquirers/ubumwe/webhook"))["url"].startswith("http://127.0.0.1:")
