"""Invariants on the live path: a node whose state breaks conservation (a bad disk, a bad hand, a bug) stops
at the next block that touches it, before signing or storing anything, and says why on /health; it does not
wait for `inzira chain verify` to find out."""

from __future__ import annotations

import sqlite3
import time

import httpx
import msgspec

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.demo.setup import create_demo_network, load_api_keys
from inzira.ledger.codes import Code
from inzira.ledger.encoding import encode
from inzira.ledger.records import Account
from inzira.ledger.tx import Issue, OpenAccount
from tests.hosted import Hosted as Embedded
from inzira.node.reader import DB_FILE
from inzira.ordering.outcome import Stopped


def _add_credit(data_dir, account_id: str) -> None:
    db = sqlite3.connect(data_dir / DB_FILE)
    try:
        key = b"A" + account_id.encode()
        (value,) = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        record = msgspec.msgpack.decode(value, type=Account)
        db.execute("UPDATE state SET value = ? WHERE key = ?",
                   (encode(msgspec.structs.replace(record, credits_posted=record.credits_posted + 1)), key))
        db.commit()
    finally:
        db.close()


def test_a_broken_invariant_stops_the_node_with_the_reason_on_health(tmp_path):
    create_demo_network(tmp_path, int(time.time() * 1000) - 1000)
    with Embedded(tmp_path, block_interval_ms=5) as net:
        assert net.execute("eurosend", OpenAccount("eurosend:eur", "EUR")).code == Code.OK
        assert net.execute("sbk", Issue("eurosend:eur", 10_00, "EUR")).code == Code.OK
    _add_credit(tmp_path, "eurosend:eur")  # one euro cent from nowhere
    net = Embedded(tmp_path, block_interval_ms=5)
    net.start()
    app = create_app(net)
    served, _port = serve_in_thread(app)
    try:
        height = net.node.height
        ticket = net.submit(net.signer("sbk").sign(Issue("eurosend:eur", 1, "EUR")))
        try:
            ticket.result(10)
            raise AssertionError("the block that touched the corrupted account was acknowledged")
        except Exception as exc:  # the orderer fails every waiting ticket with the node's reason
            assert "invariant" in str(exc)
        assert net.node.height == height  # nothing signed or stored
        member = {"Authorization": f"Bearer {load_api_keys(tmp_path)['sbk']}"}  # the reason: to members only
        health = httpx.get(f"{served.base_url}/health", headers=member, timeout=10)
        assert health.status_code == 503
        assert "EUR: posted balances sum to 1, not 0" in health.json()["detail"]
        anonymous = httpx.get(f"{served.base_url}/health", timeout=10)
        assert anonymous.status_code == 503 and "balances" not in anonymous.text
        try:
            net.submit(net.signer("sbk").sign(Issue("eurosend:eur", 1, "EUR")))
            raise AssertionError("a stopped node took a transaction")
        except Stopped:
            pass
    finally:
        served.stop()
        net.stop()
