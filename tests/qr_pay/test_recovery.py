"""After a crash between storing a payment and hearing its verdict, a restart settles it from the chain:
committed while the service was away, or never sent and sent again."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path

import pytest

from inzira.demo.setup import key_path
from inzira.ledger.codes import Code
from inzira.ledger.tx import OpenAccount
from inzira.node.keystore import load_key
from inzira.node.node import Node
from inzira.node.signer import MemberSigner
from inzira.node.store import TxLocation
from inzira.qr.ledger_port import SignedTx
from inzira.qr.serve import QrServer
from inzira.qr.settings import QrSettings
from inzira.qr.store.writer import WriteTx
from tests.qr_pay.helpers import Qr, created, ok, problem

SETTINGS = QrSettings(verdict_timeout_ms=1_000)
LEDGER_TIMEOUT_S = 30.0


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


def test_a_payment_committed_while_recovery_looks_it_up_is_not_settled_expired(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Recovery looks the payment up (not in a block yet), and before it reads the chain's time the block holding
    it is stored, then a block past its deadline. Before: that later time made the miss final, and a payment that
    moved the visitor's money was settled failed (3300)."""
    server = QrServer(tmp_path, settings=SETTINGS, block_interval_ms=5).start()
    sent: list[SignedTx] = []
    try:
        with Qr(server) as qr:
            merchant, wallet = qr.merchant(), qr.wallet("CNY", 50_000)
            quote = created(qr.quote(wallet, qr.bill(merchant, 5_000)["payload"]))
            service = server.service
            assert service is not None

            def lost(tx: WriteTx, signed: SignedTx, settle: object) -> "Future[object]":
                sent.append(signed)  # stored, never sent: the crash
                return Future()

            service.settlement.launch_on_commit = lost  # type: ignore[method-assign]
            payment_id = problem(qr.pay(wallet, quote["quote_id"]), 504, 2004)["payment_id"]
    finally:
        server.stop()
    [signed] = sent
    again = QrServer(tmp_path, settings=SETTINGS, block_interval_ms=5)
    recovering = threading.current_thread()
    real_locate = Node.locate

    def racing(node: Node, tx_ids: Sequence[bytes]) -> dict[bytes, TxLocation]:
        found = real_locate(node, tx_ids)
        if threading.current_thread() is recovering and signed.tx_id in tx_ids:
            monkeypatch.setattr(Node, "locate", real_locate)  # once
            _store_then_pass_deadline(again, signed)
        return found

    monkeypatch.setattr(Node, "locate", racing)
    with again, Qr(again) as qr:
        assert again.service is not None and again.service.recovered == {"settled": 0, "resent": 1}
        payment = _settled(qr, wallet, payment_id)
        assert (payment["status"], payment["code"]) == ("completed", 0)
        assert qr.balance(merchant["account"]) == 5_000


def _store_then_pass_deadline(server: QrServer, signed: SignedTx) -> None:
    """Through the real orderer: the block holding the payment, then a block timed at its deadline."""
    runtime = server.runtime
    assert runtime is not None
    assert runtime.submit(signed.raw).result(LEDGER_TIMEOUT_S).code == Code.OK
    runtime.orderer.clock_ms = lambda: signed.expires_at_ms
    filler = MemberSigner(runtime.chain_id, "ubumwe", load_key(key_path(server.data_dir, "ubumwe")))
    runtime.submit(filler.sign(OpenAccount("ubumwe:after-deadline", "RWF"), None)).result(LEDGER_TIMEOUT_S)
    assert runtime.node.tip.timestamp_ms >= signed.expires_at_ms
