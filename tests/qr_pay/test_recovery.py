"""After a crash between storing a payment and hearing its verdict, a restart settles it from the chain:
committed while the service was away, or never sent and sent again."""

from __future__ import annotations

import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from inzira.qr.ledger_port import SignedTx
from inzira.qr.serve import QrServer
from inzira.qr.settings import QrSettings
from inzira.qr.store.writer import WriteTx
from tests.qr_pay.helpers import Qr, created, ok, problem

SETTINGS = QrSettings(verdict_timeout_ms=1_000)


def _crash_after(server: QrServer, submitted: bool) -> None:
    """From now on the service stores payments but never hears their verdicts (and, unless ``submitted``,
    never sends them): as if it stopped right there."""
    service = server.service
    assert service is not None

    def lost(tx: WriteTx, signed: SignedTx, settle: object) -> "Future[object]":
        if submitted:
            tx.after_commit(lambda: service.port.submit(signed.raw))
        return Future()

    service.settlement.launch_on_commit = lost  # type: ignore[method-assign]


@pytest.mark.parametrize("submitted", [True, False], ids=["committed-while-away", "never-sent"])
def test_restart_settles_what_was_in_flight(tmp_path: Path, submitted: bool) -> None:
    server = QrServer(tmp_path, settings=SETTINGS, block_interval_ms=5).start()
    try:
        with Qr(server) as qr:
            merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
            bill = qr.bill(merchant, 5_000)
            quote = created(qr.quote(wallet, bill["payload"]))
            _crash_after(server, submitted)
            pending = problem(qr.pay(wallet, quote["quote_id"]), 504, 2004)
            payment_id = pending["payment_id"]
    finally:
        server.stop()
    with QrServer(tmp_path, settings=SETTINGS, block_interval_ms=5) as again, Qr(again) as qr:
        assert again.service is not None and again.service.recovered == {
            "settled": 1 if submitted else 0, "resent": 0 if submitted else 1}
        payment = created(qr.pay(wallet, quote["quote_id"])) if submitted else _settled(qr, wallet, payment_id)
        assert payment["payment_id"] == payment_id and payment["status"] == "completed"
        status = ok(qr.pos(merchant).get(f"/v1/qr/merchants/{merchant['merchant_id']}/bills/{bill['bill_id']}"))
        assert status["status"] == "paid"
        assert qr.balance(merchant["account"]) == 5_000
        assert ok(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}"))["reconciled"]


def _settled(qr: Qr, wallet: dict, payment_id: str) -> dict:
    """A payment sent again at start settles when its block commits: read it until then (bounded)."""
    for _ in range(200):
        payment = ok(qr.visitor(wallet).get(f"/v1/qr/wallets/{wallet['wallet_id']}/payments/{payment_id}"))
        if payment["status"] != "submitted":
            return payment
        time.sleep(0.05)
    raise TimeoutError(f"payment {payment_id} did not settle")
