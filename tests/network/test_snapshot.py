"""Catching up when the blocks stream no longer holds the blocks a peer needs: from a peer's snapshot,
trusted only as far as a quorum of peers signed its block, state hash and state digest.

Its own network: the stream keeps the last 10 blocks, peers take a snapshot every 5.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from inzira.ledger.tx import Issue, OpenAccount
from inzira.network.layout import NetworkSettings, peer_folder, write_peer_config
from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import BlockLog, TxLog, connect
from inzira.node.reader import load_genesis
from inzira.peer.config import SNAPSHOTS_DIR
from inzira.peer.peer_auth import sign_request
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


BIG_SNAPSHOT_BYTES = 16 * 1024 * 1024
DOWNLOADS_AT_ONCE = 16


def _rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for pid {pid}")


def _download(url: str, headers: dict[str, str], started: threading.Barrier, got: list[int]) -> None:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", parts.path, headers=headers)
        response = connection.getresponse()
        started.wait(60)  # every download open before any is read: the peer holds them all at once
        size = 0
        while chunk := response.read(256 * 1024):
            size += len(chunk)
        got.append(size if response.status == 200 else -response.status)
    finally:
        connection.close()


@pytest.mark.timeout(180)
def test_many_downloads_of_a_large_snapshot_at_once_do_not_each_hold_it_in_memory(net: Net) -> None:
    """Any member may download a peer's snapshots; each download read the whole file into memory, so a member
    asking for a large one many times at once (a signed request is good for a minute) ran the peer out of it."""
    height = 10**9
    big = peer_folder(net.local.folder, "sbk") / SNAPSHOTS_DIR / f"{height:012d}.snap"
    big.parent.mkdir(exist_ok=True)
    big.write_bytes(os.urandom(BIG_SNAPSHOT_BYTES))
    try:
        _download_at_once(net, height)
    finally:
        big.unlink()  # the newest height: it would push the peer's real snapshots out


def _download_at_once(net: Net, height: int) -> None:
    endpoint = net.local.endpoint("sbk")
    path = f"/v1/peer/snapshots/{height}"
    headers = sign_request(load_genesis(net.local.folder).chain_id, "cbr", net.local.member_key("cbr"), "GET", path,
                           int(time.time() * 1000))
    Path(f"/proc/{endpoint.pid}/clear_refs").write_text("5")  # the peak so far is now the current size
    before_kb = _rss_kb(endpoint.pid, "VmHWM")
    started, got = threading.Barrier(DOWNLOADS_AT_ONCE), []
    downloads = [threading.Thread(target=_download, args=(endpoint.api_url.rstrip("/") + path, headers, started, got))
                 for _ in range(DOWNLOADS_AT_ONCE)]
    for download in downloads:
        download.start()
    for download in downloads:
        download.join(120)
    assert got == [BIG_SNAPSHOT_BYTES] * DOWNLOADS_AT_ONCE
    grown = (_rss_kb(endpoint.pid, "VmHWM") - before_kb) * 1024
    assert grown < 4 * BIG_SNAPSHOT_BYTES, f"the peer grew by {grown} bytes serving {DOWNLOADS_AT_ONCE} downloads"
