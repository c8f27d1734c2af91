"""A peer serving a snapshot that lies, to a peer catching up: refused before its rows are built in memory.

Real parts: the session's NATS cluster holds the snapshot checkpoints a quorum signed, a loopback HTTP server
plays the lying provider, and the catching-up side is a real node behind the peer's own ``SnapshotSync``.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import msgspec

from inzira.demo.setup import create_demo_network, key_path
from inzira.ledger.tx import OpenAccount
from inzira.network.nats_cluster import NatsCluster
from inzira.node.keystore import load_key
from inzira.node.node import Node
from inzira.node.reader import GENESIS_FILE
from inzira.ordering.jetstream import CheckpointLog, OrderingConfig, connect, ensure_streams
from inzira.peer import snapshots
from inzira.peer.agreement import Agreement
from inzira.peer.checkpoints import CHECKPOINT_VERSION, Checkpoint, sign_checkpoint
from inzira.peer.config import ordering_network
from inzira.peer.ledger_thread import PeerLedger
from inzira.peer.snapshot_sync import SnapshotSync

from tests.hosted import Hosted

SIGNERS = ("cbr", "sbk")  # a quorum of two signed the honest snapshot
LYING_ROWS = 3_000_000  # 15 MB of empty rows: about 200 MB of Python objects once decoded
MEMORY_FACTOR_MAX = 6


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@contextmanager
def serving(body: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_snapshot_whose_rows_are_not_the_agreed_ones_is_refused_before_they_are_built(
        tmp_path: Path, nats_cluster: NatsCluster) -> None:
    """The agreed digest covers the rows, yet the rows were decoded (every one a Python tuple) before it was
    checked: a member's peer listed as a provider could serve up to 1 GiB of tiny rows, over ten times that in
    memory, and end each peer that caught up from it."""
    source, behind = tmp_path / "source", tmp_path / "behind"
    create_demo_network(source, now_ms() - 1_000)
    with Hosted(source, block_interval_ms=5) as hosted:
        assert hosted.execute("eurosend", OpenAccount("eurosend:eur", "EUR")).code == 0
        node = hosted.node
        block = node.store.block(node.height)
        assert block is not None
        honest, digest = snapshots.take(node.state, block, 1, 0)
        height, block_hash, state_hash = node.height, node.block_hash, node.state.state_hash
    fields = msgspec.msgpack.decode(honest)
    lying = msgspec.msgpack.encode([*fields[:6], [[b"", b""]] * LYING_ROWS])
    behind.mkdir()
    shutil.copy(source / GENESIS_FILE, behind / GENESIS_FILE)
    catching_up = Node(behind)
    ledger = PeerLedger(catching_up, Agreement("mobimo", 2, lambda _: None), lambda *_: None)
    genesis = catching_up.genesis
    cfg = OrderingConfig(ordering_network(genesis), direct_reads=True)

    async def body(url: str) -> tuple[bool, int]:
        nc = await connect(nats_cluster.urls, "test-snapshot-lies", credentials=nats_cluster.admin_credentials)
        try:
            await ensure_streams(nc, cfg)
            log = CheckpointLog(nc, cfg)
            for member in SIGNERS:
                checkpoint = Checkpoint(CHECKPOINT_VERSION, genesis.chain_id, member, height, block_hash, state_hash,
                                        1, 0, digest, api_url=url, at_ms=now_ms())
                await log.publish(member, sign_checkpoint(checkpoint, load_key(key_path(source, member))),
                                  snapshot=True)
            while len(await log.snapshot_history()) < len(SIGNERS):
                await asyncio.sleep(0.05)
            sync = SnapshotSync(ledger, log, genesis, "mobimo", load_key(key_path(source, "mobimo")), 2,
                                lambda: {m.id: m.keys for m in catching_up.state.members.values()}, now_ms)
            tracemalloc.start()
            try:
                installed = await sync.catch_up(2)
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
                await sync.aclose()
            return installed, peak
        finally:
            await nc.close()

    try:
        with serving(lying) as url:
            installed, peak = asyncio.run(asyncio.wait_for(body(url), 120))
        assert not installed and catching_up.height == 0
        assert peak < MEMORY_FACTOR_MAX * len(lying), f"{peak} bytes at the peak for a {len(lying)}-byte snapshot"
    finally:
        ledger.close()
        catching_up.close()
