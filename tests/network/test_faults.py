"""Faults on a real network: NATS servers and peers SIGKILLed under load, peers restarted, a lost stream.

The session's network of peer processes (cbr, sbk and mobimo may cut blocks; eurosend only follows), on
the session's 3-server NATS cluster. Each test leaves the network whole.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from inzira.ledger.tx import Issue, OpenAccount
from inzira.network.layout import orderer_id
from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import connect
from inzira.ordering.jetstream.failover_probe import stream_leader_name
from tests.network.helpers import (
    CUTTERS,
    MEMBERS,
    Load,
    Net,
    block_orderer,
    chain_counts,
    restart_dead_servers,
    running_network,
)

LEADER_KILL_UNAVAILABILITY_S_MAX = 15.0  # Raft election 4-9 s, a retry, a loaded machine
CUTTER_TAKEOVER_S_MAX = 10.0  # lease ttl 2 s + polling + catching up, on a loaded machine


def _assert_every_ack_once_everywhere(net: Net, acked: list[bytes], members: list[str]) -> None:
    agreed = net.wait_agreed(members, timeout_s=90)
    for member in members:
        counts, height = chain_counts(net.local, member)
        assert height == agreed["height"]
        missing = [a for a in acked if counts.get(a, 0) == 0]
        twice = [a for a in acked if counts.get(a, 0) > 1]
        assert not missing, f"{member}: {len(missing)} acknowledged transactions are not in its chain"
        assert not twice, f"{member}: {len(twice)} acknowledged transactions are in its chain twice"


def wait_until_acked(load: Load, count: int, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(load.acked) < count:
        assert time.monotonic() < deadline, f"only {len(load.acked)} acknowledged; errors {load.errors[:3]}"
        time.sleep(0.05)


def _tx_stream_leader(cluster: NatsCluster, stream: str) -> int:
    async def leader() -> str:
        nc = await connect(cluster.urls, "test-leader", credentials=cluster.admin_credentials)
        try:
            return await stream_leader_name(nc, stream)
        finally:
            await nc.close()

    name = asyncio.run(leader())
    return [s.name for s in cluster.servers].index(name)


@pytest.mark.timeout(240)
def test_sigkill_of_the_tx_stream_leader_under_load(fault_net: Net, nats_cluster: NatsCluster) -> None:
    net = fault_net
    victim = _tx_stream_leader(nats_cluster, net.local.ordering().tx_stream)
    try:
        with Load(net, "eurosend", "eurosend:eur", "mobimo:eur") as load:
            wait_until_acked(load, 100)
            killed_at = time.monotonic()
            nats_cluster.kill_server(victim)
            wait_until_acked(load, len(load.acked) + 200, timeout_s=90)
        gap_s = load.longest_gap_s(killed_at)
        print(f"\nkilled {nats_cluster.servers[victim].name}, the tx stream's leader: no acknowledgement for "
              f"{gap_s:.1f} s; {len(load.acked)} acknowledged, {len(load.refused)} refused, errors {load.errors[:3]}")
        assert not load.refused
        assert gap_s < LEADER_KILL_UNAVAILABILITY_S_MAX
        _assert_every_ack_once_everywhere(net, [tx for _, tx in load.acked], MEMBERS)
    finally:
        restart_dead_servers(nats_cluster)


@pytest.mark.timeout(240)
def test_sigkill_of_the_cutter_another_takes_over_and_it_catches_up(fault_net: Net) -> None:
    net = fault_net
    statuses = net.statuses(MEMBERS)
    cutter = next(m for m, s in statuses.items() if s and s["role"] == "cutter")
    others = [m for m in MEMBERS if m != cutter]
    with Load(net, "eurosend", "eurosend:eur", "mobimo:eur", batch=5, pause_s=0.05) as load:
        wait_until_acked(load, 50)
        height_at_kill = net.status("eurosend")["height"]  # type: ignore[index]
        killed_at = time.monotonic()
        net.local.kill_peer(cutter)
        wait_until_acked(load, len(load.acked) + 100, timeout_s=90)
    takeover_s = load.longest_gap_s(killed_at)
    print(f"\nkilled cutter {cutter}: no acknowledgement for {takeover_s:.1f} s")
    assert takeover_s < CUTTER_TAKEOVER_S_MAX
    agreed = net.wait_agreed(others, min_height=height_at_kill + 1)
    new_orderer = block_orderer(net, others[0], agreed["height"])
    assert new_orderer != orderer_id(cutter) and new_orderer in {orderer_id(m) for m in CUTTERS}
    net.local.start_peer(cutter)
    _assert_every_ack_once_everywhere(net, [tx for _, tx in load.acked], MEMBERS)
    assert all(s and s["rejected_blocks"] == 0 for s in net.statuses(MEMBERS).values()), "a fork was attempted"


@pytest.mark.timeout(180)
def test_a_killed_follower_restarts_and_catches_up(fault_net: Net) -> None:
    net = fault_net
    net.local.kill_peer("eurosend")
    before = net.wait_agreed(CUTTERS)["height"]
    raws = [net.signer("sbk").sign(Issue("mobimo:eur", 10 + i, "EUR")) for i in range(30)]
    for start in range(0, len(raws), 5):  # several blocks while eurosend is down
        net.submit_ok("sbk", raws[start : start + 5])
    net.local.start_peer("eurosend")
    agreed = net.wait_agreed(MEMBERS, min_height=before + 1)
    assert net.status("eurosend")["height"] == agreed["height"]  # type: ignore[index]


@pytest.mark.timeout(120)
def test_a_peer_refuses_to_follow_a_stream_that_lost_its_blocks(tmp_path: Path, nats_cluster: NatsCluster) -> None:
    with running_network(tmp_path / "lost", nats_cluster, ["cbr"]) as net:
        net.submit_ok("cbr", [net.signer("cbr").sign(OpenAccount("cbr:rwf", "RWF"))])
        net.local.stop_peer("cbr")
        cfg = net.local.ordering()

        async def wipe() -> None:  # as if the ordering service had been replaced by an empty one (its admin)
            nc = await connect(nats_cluster.urls, "test-wipe", credentials=nats_cluster.admin_credentials)
            try:
                for stream in (cfg.tx_stream, cfg.blocks_stream, cfg.checkpoints_stream):
                    await nc.jetstream(timeout=10).delete_stream(stream)
            finally:
                await nc.close()

        asyncio.run(wipe())
        with pytest.raises(RuntimeError, match="lost blocks"):
            net.local.start_peer("cbr", ready_timeout_ms=30_000)
