"""Catching up when the blocks stream no longer holds the blocks a peer needs: from a peer's snapshot,
trusted only as far as a quorum of peers signed its block, state hash and state digest.

Its own network: the stream keeps the last 10 blocks, peers take a snapshot every 5.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from inzira.ledger.tx import Issue, OpenAccount
from inzira.network.layout import NetworkSettings, write_peer_config
from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import BlockLog, TxLog, connect
from inzira.peer.service import Peer
from inzira.peer.tx_batch import encode_batch
from tests.network.helpers import FAST, Net, running_network
from tests.reachable import reachable

MEMBERS = ["cbr", "sbk", "mobimo"]
ENDED_WAIT_S = 60.0
SETTINGS = NetworkSettings(block_interval_ms=FAST.block_interval_ms, lease_ttl_ms=FAST.lease_ttl_ms,
                           checkpoint_heartbeat_ms=FAST.checkpoint_heartbeat_ms, blocks_max_msgs=10,
                           snapshot_every_blocks=5)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory, nats_cluster: NatsCluster) -> Iterator[Net]:
    with running_network(Path(tmp_path_factory.mktemp("snapshots")), nats_cluster, MEMBERS, SETTINGS) as running:
        running.open_funded("mobimo", "eur", "EUR", 0, "sbk")
        yield running


def _blocks(net: Net, count: int) -> None:
    """``count`` blocks or so: one issue at a time, each waiting for its block."""
    for i in range(count):
        net.submit_ok("sbk", [net.signer("sbk").sign(Issue("mobimo:eur", 1 + i, "EUR"))])


async def _publish(net: Net, raw: bytes) -> None:
    # A hostile member replays a transaction it saw in the chain, on its own subject.
    nc = await connect(net.local.nats_urls, "test-replay", credentials=net.local.nats_credentials("mobimo"))
    try:
        await TxLog(nc, net.local.ordering(), member="mobimo").publish_tx(b"replay" + raw[-16:],
                                                                           encode_batch([raw]))
    finally:
        await nc.close()


def _stream_first(net: Net) -> int:
    async def bounds() -> int:
        nc = await connect(net.local.nats_urls, "test-bounds", credentials=net.local.nats_credentials("eurosend"))
        try:
            return (await BlockLog(nc, net.local.ordering()).bounds())[0]
        finally:
            await nc.close()

    return asyncio.run(bounds())


@pytest.mark.timeout(180)
def test_a_peer_behind_the_trimmed_stream_catches_up_from_a_snapshot(net: Net) -> None:
    net.wait_agreed(MEMBERS)
    left_at = net.status("mobimo")["blocks_seq"]  # type: ignore[index]
    net.local.stop_peer("mobimo")
    paid = net.signer("sbk").sign(Issue("mobimo:eur", 1_000, "EUR"))  # made while mobimo is away
    net.submit_ok("sbk", [paid])
    _blocks(net, 25)
    assert _stream_first(net) > left_at + 1, "the stream still holds what mobimo needs"
    net.local.start_peer("mobimo")
    agreed = net.wait_agreed(MEMBERS)
    status = net.status("mobimo")
    assert status is not None and status["snapshots_installed"], "mobimo did not start from a snapshot"
    assert status["height"] == agreed["height"] and status["rejected_blocks"] == 0
    # The spent ids came with the snapshot: a replay, straight into the log, of a payment mobimo never saw in
    # a block is refused by every peer alike, mobimo included (its index has no row for it; its state does).
    with net.client("cbr") as client:  # the central bank sees every account
        balance = client.account("mobimo:eur")["balance_minor"]
    asyncio.run(_publish(net, paid))
    net.submit_ok("sbk", [net.signer("sbk").sign(Issue("mobimo:eur", 1, "EUR"))])
    net.wait_agreed(MEMBERS, min_height=agreed["height"] + 1)
    for member in ("cbr", "mobimo"):
        with net.client(member) as client:
            assert client.account("mobimo:eur")["balance_minor"] == balance + 1
    # It goes on like any peer: a transaction submitted through it is acknowledged once it stored the block.
    net.submit_ok("mobimo", [net.signer("mobimo").sign(OpenAccount("mobimo:rwf", "RWF"))])
    net.wait_agreed(MEMBERS, min_height=agreed["height"] + 1)


@pytest.mark.timeout(180)
def test_a_new_members_peer_joins_a_trimmed_network_from_a_snapshot(net: Net) -> None:
    _blocks(net, 6)  # every peer, mobimo included, has signed a snapshot since
    net.local.start_peer("eurosend")
    agreed = net.wait_agreed(MEMBERS + ["eurosend"])
    status = net.status("eurosend")
    assert status is not None and status["snapshots_installed"] and status["height"] == agreed["height"]
    net.submit_ok("eurosend", [net.signer("eurosend").sign(OpenAccount("eurosend:eur", "EUR"))])
    net.wait_agreed(MEMBERS + ["eurosend"], min_height=agreed["height"] + 1)


@pytest.mark.timeout(180)
def test_a_peer_that_downloaded_a_snapshot_leaves_no_connection_open_once_stopped(net: Net) -> None:
    """The downloads' client pool lives on the peer's event loop: it is closed as that loop ends, not left to
    the collector (aiohttp's "Unclosed client session")."""
    _blocks(net, 12)  # past what the stream keeps (10), alone or after the tests above
    assert _stream_first(net) > 1, "the stream still holds the whole chain: no snapshot needed"
    net.wait_agreed(MEMBERS)  # every running peer has signed a snapshot since
    local = net.local
    peer = Peer(write_peer_config(local.folder, local.manifest, "ubumwe", local.nats_urls, quorum=2))
    peer.start()
    try:
        peer.wait_ready()
    finally:
        peer.stop()
    ends_by_s = time.monotonic() + ENDED_WAIT_S  # stop() waits a bounded time: on a loaded machine, longer here
    while not peer.ended and time.monotonic() < ends_by_s:
        time.sleep(0.05)
    assert peer.ended, "the peer's event loop did not end"
    assert peer.snapshot_sync is not None and peer.snapshot_sync.installed, "ubumwe did not start from a snapshot"
    assert [session for session in reachable(peer, aiohttp.ClientSession) if not session.closed] == []
