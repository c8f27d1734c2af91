"""What the network tests share: starting a network of peer processes, signing, waiting, reading stores."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from inzira.api.client import LedgerHttpClient
from inzira.http import HttpProblem
from inzira.ledger.block import decode_block, decode_header
from inzira.ledger.records import Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer, decode_signed, tx_id_of
from inzira.network.layout import CUTTERS_DEFAULT, NetworkSettings, peer_folder, write_peer_config
from inzira.network.local_network import LocalNetwork
from inzira.network.nats_cluster import NatsCluster
from inzira.network.peer_client import peer_status
from inzira.node.reader import DB_FILE, load_genesis
from inzira.node.signer import MemberSigner
from inzira.node.store import Store
from inzira.peer.service import Peer

T = TypeVar("T")
MEMBERS = ["cbr", "sbk", "mobimo", "eurosend"]  # the fault tests' network
CUTTERS = MEMBERS[:3]  # the first three may cut blocks
HTTP_TIMEOUT_S = 60.0
# Quick timings, so faults heal in seconds.
FAST = NetworkSettings(block_interval_ms=20, lease_ttl_ms=2_000, checkpoint_heartbeat_ms=500)


def wait_until(what: str, check: Callable[[], T | None], timeout_s: float = 60.0, every_s: float = 0.1) -> T:
    deadline = time.monotonic() + timeout_s
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(every_s)


@contextlib.contextmanager
def running_network(folder: Path, cluster: NatsCluster, members: list[str],
                    settings: NetworkSettings = FAST,
                    prepare: Callable[[Path], None] | None = None) -> Iterator["Net"]:
    """Peers of ``members`` on the shared cluster, which lets this network's members in first; ``prepare`` is
    given the network's folder once it is created, before any peer starts (files a peer reads at its start)."""
    net = LocalNetwork(folder)
    net.create(members[:CUTTERS_DEFAULT], settings)
    if prepare is not None:
        prepare(folder)
    cluster.add_users(net.nats_users())
    try:
        net.up(members, nats_urls=cluster.urls, settings=settings, nats_admin=cluster.admin_credentials)
        yield Net(net)
    finally:
        net.down()


@contextlib.contextmanager
def in_process_peer(net: "Net", member: str, quorum: int,
                    before_start: Callable[[Peer], None] | None = None) -> Iterator[Peer]:
    """``member``'s peer run in this process (the test holds its runtime and tickets), ready, stopped after;
    ``before_start`` is given it before it starts."""
    local = net.local
    peer = Peer(write_peer_config(local.folder, local.manifest, member, local.nats_urls, quorum))
    if before_start is not None:
        before_start(peer)
    peer.start()
    try:
        peer.wait_ready()
        yield peer
    finally:
        peer.stop()


def restart_dead_servers(cluster: NatsCluster) -> None:
    """Leave the session's cluster whole for the tests after this one, whatever happened here."""
    for index, status in enumerate(cluster.status()):
        if not status.alive:
            cluster.restart_server(index, timeout_ms=90_000)


@dataclass
class Net:
    local: LocalNetwork
    _signers: dict[str, MemberSigner] = field(default_factory=dict)

    @property
    def chain_id(self) -> bytes:
        return load_genesis(self.local.folder).chain_id

    def client(self, member: str) -> LedgerHttpClient:
        return LedgerHttpClient(self.local.api_url(member), self.local.api_token(member), timeout_s=HTTP_TIMEOUT_S)

    def signer(self, member: str) -> MemberSigner:
        if member not in self._signers:
            self._signers[member] = MemberSigner(self.chain_id, member, self.local.member_key(member))
        return self._signers[member]

    def status(self, member: str) -> dict[str, Any] | None:
        try:
            return peer_status(self.local.api_url(member), token=self.local.api_token(member))
        except ValueError:
            return None

    def statuses(self, members: list[str] | None = None) -> dict[str, dict[str, Any] | None]:
        return {m: self.status(m) for m in members or self.local.running_peers()}

    def agreed(self, members: list[str] | None = None, min_height: int = 0) -> dict[str, Any] | None:
        """The common status facts once every peer is ready at one height with the same hashes, else None."""
        found = self.statuses(members)
        if any(s is None or not s["ready"] or s["problem"] for s in found.values()):
            return None
        tips = {(s["height"], s["block_hash"], s["state_hash"]) for s in found.values() if s}
        if len(tips) != 1:
            return None
        height, block_hash, state_hash = tips.pop()
        return None if height < min_height else {"height": height, "block_hash": block_hash, "state_hash": state_hash}

    def wait_agreed(self, members: list[str] | None = None, min_height: int = 0,
                    timeout_s: float = 60.0) -> dict[str, Any]:
        return wait_until(f"peers {members or 'all'} to agree at >= {min_height}",
                          lambda: self.agreed(members, min_height), timeout_s)

    def submit_ok(self, member: str, raws: list[bytes]) -> list[dict[str, Any]]:
        with self.client(member) as client:
            results = client.submit_many(raws)
        assert all(r["status"] == 200 for r in results), results
        return results

    def open_funded(self, owner: str, name: str, currency: str, amount_minor: int, issuer: str) -> str:
        account = f"{owner}:{name}"
        self.submit_ok(owner, [self.signer(owner).sign(OpenAccount(account, currency))])
        if amount_minor:
            self.submit_ok(issuer, [self.signer(issuer).sign(Issue(account, amount_minor, currency))])
        return account

    def transfer(self, payer_member: str, payer: str, payee: str, amount_minor: int, currency: str = "EUR") -> bytes:
        return self.signer(payer_member).sign(Transfer((Leg(payer, payee, amount_minor, currency),)))


def chain_counts(net: LocalNetwork, member: str) -> tuple[dict[bytes, int], int]:
    """How often each transaction id occurs in the blocks stored by ``member``'s peer, and its height."""
    store = Store(peer_folder(net.folder, member) / DB_FILE)
    counts: dict[bytes, int] = {}
    height = 0
    try:
        for height, data in store.iter_blocks(1):
            for raw in decode_block(data).txs:
                tx_id = tx_id_of(decode_signed(raw).body)
                counts[tx_id] = counts.get(tx_id, 0) + 1
    finally:
        store.close()
    return counts, height


def block_orderer(net: Net, member: str, height: int) -> str:
    store = Store(peer_folder(net.local.folder, member) / DB_FILE)
    try:
        data = store.block(height)
    finally:
        store.close()
    assert data is not None
    return decode_header(decode_block(data).signed.header).orderer


class Load:
    """A thread submitting small transfers through one peer's API, recording what was acknowledged."""

    def __init__(self, net: Net, member: str, payer: str, payee: str, batch: int = 20, pause_s: float = 0.02):
        self.net = net
        self.member = member
        self.payer = payer
        self.payee = payee
        self.batch = batch
        self.pause_s = pause_s
        self.acked: list[tuple[float, bytes]] = []  # (time acknowledged, tx id)
        self.refused: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="load", daemon=True)

    def __enter__(self) -> "Load":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(120)

    def _run(self) -> None:
        n = 0
        with self.net.client(self.member) as client:
            while not self._stop.is_set():
                raws = [self.net.transfer(self.member, self.payer, self.payee, 1 + (n + i) % 97)
                        for i in range(self.batch)]
                n += self.batch
                try:
                    results = client.submit_many(raws)
                except (HttpProblem, OSError) as exc:
                    self.errors.append(repr(exc))
                    time.sleep(0.2)
                    continue
                now = time.monotonic()
                for raw, result in zip(raws, results):
                    if result["status"] == 200:
                        self.acked.append((now, tx_id_of(decode_signed(raw).body)))
                    else:
                        self.refused.append(result)
                time.sleep(self.pause_s)

    def longest_gap_s(self, since: float) -> float:
        times = [t for t, _ in self.acked]
        before = [t for t in times if t <= since]
        points = [before[-1] if before else since] + [t for t in times if t > since]
        return max((b - a for a, b in zip(points, points[1:])), default=0.0)
