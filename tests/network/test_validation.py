"""Every peer validates on its own: tampered blocks in the stream are refused and reported by all, a new
member's peer replays everything from the genesis, and a peer whose own data went bad stops taking traffic.

Uses the session's fault-test network; the last test leaves eurosend's peer diverged, so it runs last.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time

import httpx
import msgspec
import pytest

from inzira.http import HttpProblem
from inzira.crypto import KeyPair
from inzira.crypto.keygen import generate_keypair
from inzira.ledger import merkle
from inzira.ledger.block import BLOCK_VERSION, Block, BlockHeader, SignedHeader, block_hash, leaf_hashes
from inzira.ledger.context import TxResult
from inzira.ledger.encoding import encode
from inzira.ledger.records import Account
from inzira.ledger.tx import Issue
from inzira.network.layout import orderer_id, peer_folder
from inzira.node.keystore import load_key
from inzira.node.reader import DB_FILE
from inzira.ordering.jetstream import BlockConflictError, BlockLog, connect
from inzira.peer.config import key_path
from tests.network.helpers import MEMBERS, Net, wait_until

NEW_MEMBER = "ubumwe"


def _tampered_blocks(net: Net, height: int, tip_hash: bytes) -> dict[str, bytes]:
    """Three would-be blocks at ``height`` + 1, each broken in one way, signed with a real orderer key."""
    orderer = orderer_id("cbr")
    key = load_key(key_path(peer_folder(net.local.folder, "cbr"), orderer))
    raw = net.signer("sbk").sign(Issue("mobimo:eur", 5, "EUR"))
    result = TxResult(0, -1)

    def block(prev_hash: bytes, txs: tuple[bytes, ...], signer: KeyPair) -> Block:
        root = merkle.root_of_hashes(leaf_hashes([raw] * len(txs), [result] * len(txs)))
        # Stamped now, so the only fault of each block is the one it was made with.
        header = encode(BlockHeader(BLOCK_VERSION, net.chain_id, height + 1, prev_hash, int(time.time() * 1000),
                                    len(txs), root, os.urandom(32), orderer))
        return Block(SignedHeader(header, signer.sign(block_hash(header))), txs, (result,) * len(txs))

    bad_signature = block(tip_hash, (), generate_keypair())
    altered = block(tip_hash, (raw,), key)
    altered = Block(altered.signed, (raw[:-1] + bytes([raw[-1] ^ 1]),), altered.results)
    wrong_prev = block(os.urandom(32), (), key)
    return {"signature": encode(bad_signature), "Merkle root": encode(altered),
            "previous-block hash": encode(wrong_prev)}


async def _append(net: Net, payloads: list[bytes]) -> None:
    cfg = net.local.ordering()
    # A member whose peer may cut blocks, gone rogue: the only kind of member allowed to append at all.
    nc = await connect(net.local.nats_urls, "test-tamper", credentials=net.local.nats_credentials("cbr"))
    try:
        log = BlockLog(nc, cfg)
        for payload in payloads:
            for _ in range(20):  # a cutter may append in between: then try after its block
                _, last = await log.bounds()
                try:
                    await log.append_block(last, payload)
                    break
                except BlockConflictError:
                    continue
    finally:
        await nc.close()


@pytest.mark.timeout(120)
def test_tampered_blocks_are_refused_and_reported_by_every_peer(fault_net: Net) -> None:
    net = fault_net
    tip = net.wait_agreed(MEMBERS)
    before = {m: s["rejected_blocks"] for m, s in net.statuses(MEMBERS).items() if s}
    broken = _tampered_blocks(net, tip["height"], bytes.fromhex(tip["block_hash"]))
    asyncio.run(_append(net, list(broken.values())))

    def all_refused() -> bool:
        found = net.statuses(MEMBERS)
        return all(s and s["rejected_blocks"] >= before[m] + 3 for m, s in found.items())

    wait_until("every peer to refuse the three entries", all_refused, 30)
    for member, status in net.statuses(MEMBERS).items():
        assert status is not None and status["height"] == tip["height"], member
        reasons = " | ".join(r["reason"] for r in status["rejections"][-3:])
        for what in broken:
            assert what in reasons, f"{member} did not report the bad {what}: {reasons}"
        health = httpx.get(f"{net.local.api_url(member)}/health", timeout=10).json()
        assert health["status"] == "ok" and health["rejected_blocks"] >= 3 and health["last_rejection"]
        metrics = httpx.get(f"{net.local.api_url(member)}/metrics", timeout=10).text
        assert "inzira_peer_blocks_rejected" in metrics
    # The chain goes on after the refused entries, on every peer.
    net.submit_ok("sbk", [net.signer("sbk").sign(Issue("mobimo:eur", 7, "EUR"))])
    net.wait_agreed(MEMBERS, min_height=tip["height"] + 1)


@pytest.mark.timeout(120)
def test_a_new_members_peer_syncs_from_genesis_and_judges_alike(fault_net: Net) -> None:
    net = fault_net
    net.local.start_peer(NEW_MEMBER)
    agreed = net.wait_agreed(MEMBERS + [NEW_MEMBER])
    statuses = net.statuses(MEMBERS + [NEW_MEMBER])
    refused = {m: [r["seq"] for r in s["rejections"]] for m, s in statuses.items() if s}
    assert refused[NEW_MEMBER], "the new peer met the tampered entries too"
    for member in MEMBERS:
        tail = refused[member][-len(refused[NEW_MEMBER]):]
        assert tail == refused[NEW_MEMBER], f"{member} refused other entries than the new peer"
    assert statuses[NEW_MEMBER]["height"] == agreed["height"]  # type: ignore[index]


def _corrupt_cap(net: Net, member: str, account: str) -> None:
    """Raise an account's credit line by one unit in ``member``'s own store, as a failing disk or a bad hand
    would: no invariant breaks (that would stop the node at once, see tests/node/test_live_invariants.py),
    but its next write of the account differs from everyone else's."""
    db = sqlite3.connect(peer_folder(net.local.folder, member) / DB_FILE)
    try:
        key = b"A" + account.encode()
        (value,) = db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        record = msgspec.msgpack.decode(value, type=Account)
        changed = msgspec.structs.replace(record, debit_cap_minor=record.debit_cap_minor + 1)
        db.execute("UPDATE state SET value = ? WHERE key = ?", (encode(changed), key))
        db.commit()
    finally:
        db.close()


@pytest.mark.timeout(120)
def test_a_peer_that_disagrees_with_the_quorum_stops_taking_traffic(fault_net: Net) -> None:
    net = fault_net
    victim = "eurosend"
    members = MEMBERS + [NEW_MEMBER]
    net.wait_agreed(members)
    net.local.stop_peer(victim)
    _corrupt_cap(net, victim, "mobimo:eur")
    net.local.start_peer(victim)
    honest = [m for m in members if m != victim]
    # A block that touches the account: every peer but the victim replays it to the signed state hash.
    net.submit_ok("sbk", [net.signer("sbk").sign(Issue("mobimo:eur", 11, "EUR"))])
    status = wait_until("the victim to see it disagrees", lambda: (s := net.status(victim)) and s["diverged"] and s, 30)
    assert "this peer does not" in status["diverged"]
    operator = {"Authorization": f"Bearer {net.local.api_token(victim)}"}  # why: to members only
    health = httpx.get(f"{net.local.api_url(victim)}/health", headers=operator, timeout=10)
    assert health.status_code == 503 and "disagrees with the other peers" in health.json()["detail"]
    anonymous = httpx.get(f"{net.local.api_url(victim)}/health", timeout=10)
    assert anonymous.status_code == 503 and "peer_diverged" in anonymous.json()["detail"]
    assert "disagrees" not in anonymous.json()["detail"]
    assert "disagrees with the other peers" in net.local.status().peers[victim]["problem"]  # type: ignore[index]
    with net.client(victim) as client:
        with pytest.raises(HttpProblem) as refused:
            client.account("eurosend:eur")
        assert refused.value.status == 503
    agreed = net.wait_agreed(honest)  # the others go on, unbothered by one peer in the minority
    assert net.status(victim)["height"] < agreed["height"]  # type: ignore[index]
