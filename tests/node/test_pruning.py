"""Resolved pending transfers leave the state after a bounded time, and the node still answers for them:
the API's pending view, the transaction index, receipts and `chain verify` (from the node's archive)."""

from __future__ import annotations

import time

import httpx
import msgspec

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.demo.setup import create_demo_network, load_api_keys
from inzira.ledger import genesis as genesis_mod
from inzira.ledger.codes import Code
from inzira.ledger.records import POSTED, Leg
from inzira.ledger.state_rows import K_PENDING
from inzira.ledger.tx import Issue, OpenAccount, PostPending, Transfer, VoidPending
from inzira.node.audit import audit
from tests.hosted import Hosted as Embedded
from inzira.node.reader import GENESIS_FILE

KEPT_MS = 1_000  # the genesis' smallest allowed resolved_kept_ms


def _short_memory_network(folder) -> None:
    create_demo_network(folder, int(time.time() * 1000) - 1000)
    path = folder / GENESIS_FILE
    genesis = genesis_mod.loads(path.read_bytes())
    policy = msgspec.structs.replace(genesis.policy, resolved_kept_ms=KEPT_MS)
    path.write_bytes(genesis_mod.dumps(genesis_mod.validate(msgspec.structs.replace(genesis, policy=policy))))


def test_a_pruned_pending_transfer_is_still_answered_for(tmp_path):
    _short_memory_network(tmp_path)
    with Embedded(tmp_path, block_interval_ms=5) as net:
        for member, account in (("eurosend", "eurosend:eur"), ("mobimo", "mobimo:eur")):
            assert net.execute(member, OpenAccount(account, "EUR")).code == Code.OK
        assert net.execute("sbk", Issue("eurosend:eur", 10_00, "EUR")).code == Code.OK
        created = net.execute("eurosend", Transfer((Leg("eurosend:eur", "mobimo:eur", 4_00, "EUR"),),
                                                   expires_at_ms=int(time.time() * 1000) + 60_000))
        assert created.code == Code.OK
        assert net.execute("eurosend", PostPending(created.tx_id)).code == Code.OK
        time.sleep(KEPT_MS / 1000 + 0.2)
        late = net.execute("eurosend", VoidPending(created.tx_id))  # its block prunes the record first
        assert late.code == Code.TRANSFER_NOT_FOUND
        assert net.node.store.state_value(K_PENDING + created.tx_id) is None  # gone from the state
        archived = net.node.pending(created.tx_id)
        assert archived is not None and archived.status == POSTED
        app = create_app(net)
        served, _port = serve_in_thread(app)
        try:
            token = load_api_keys(tmp_path)["eurosend"]
            answer = httpx.get(f"{served.base_url}/v1/pending/{created.tx_id.hex()}",
                               headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert answer.status_code == 200 and answer.json()["status"] == "COMMITTED"
            receipt = httpx.get(f"{served.base_url}/v1/transactions/{created.tx_id.hex()}/receipt",
                                headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert receipt.status_code == 200
        finally:
            served.stop()
    assert audit(tmp_path, verify_workers=1).height > 0
