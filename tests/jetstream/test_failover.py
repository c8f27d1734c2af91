"""SIGKILL one server during a stream of publishes: a short stall, nothing acknowledged lost, healing.

Killing a follower costs only the client's reconnect. Killing the stream leader costs a Raft
election, whose timeout NATS fixes at 4-9 s (not configurable), so that case gets a wider bound.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import BlockLog, LogEntry, TxLog
from inzira.ordering.jetstream.failover_probe import (
    FailoverResult,
    choose_victim,
    probe_failover,
    stream_leader_name,
)
from tests.jetstream.helpers import PUBLISHER, Ordering, ordering, read_n, run

FOLLOWER_KILL_UNAVAILABILITY_MS_MAX = 5_000
LEADER_KILL_UNAVAILABILITY_MS_MAX = 15_000  # election timeout up to 9 s, plus one retry, on a loaded machine
HEAL_TIMEOUT_S = 60


def _restart_dead_servers(cluster: NatsCluster) -> None:
    """Leaves the session's cluster whole for the tests after this one, whatever happened here."""
    for index, status in enumerate(cluster.status()):
        if not status.alive:
            cluster.restart_server(index, timeout_ms=90_000)


async def _assert_every_ack_is_in_the_stream_once(tx_log: TxLog, result: FailoverResult) -> None:
    assert result.failures == 0
    assert len(result.acks) > 100, "too few publishes to say anything"
    entries = await read_n(tx_log.read_txs, 1, len(result.acks))
    assert await tx_log.read_txs(entries[-1].seq + 1, max_count=10, max_wait_ms=500) == []
    by_seq = {e.seq: e.payload for e in entries}
    for ack in result.acks:
        assert by_seq.get(ack.seq) == ack.payload, f"acked seq {ack.seq} lost or changed"
    payloads = [e.payload for e in entries]
    assert len(payloads) == len(set(payloads)), "a retried publish was stored twice"
    assert sorted(payloads) == sorted(a.payload for a in result.acks)


async def _assert_healed(o: Ordering) -> None:
    js = o.nc.jetstream(timeout=5)
    deadline = time.monotonic() + HEAL_TIMEOUT_S
    while True:
        info = await js.stream_info(o.cfg.tx_stream)
        replicas = (info.cluster.replicas or []) if info.cluster else []
        if len(replicas) == 2 and all(r.current and not r.offline for r in replicas):
            break
        assert time.monotonic() < deadline, f"replicas not current after {HEAL_TIMEOUT_S} s: {replicas}"
        await asyncio.sleep(0.5)
    after = await TxLog(o.nc, o.cfg, member=PUBLISHER).publish_tx(b"after-heal", b"after-heal")
    assert after.seq == info.state.last_seq + 1


def _failover_scenario(cluster: NatsCluster, kill_leader: bool) -> float:
    async def body() -> float:
        async with ordering(cluster) as o:
            tx_log = TxLog(o.nc, o.cfg, member=PUBLISHER)
            blocks = BlockLog(o.nc, o.cfg)
            leader = await stream_leader_name(o.nc, o.cfg.tx_stream)
            url = o.nc.connected_url
            victim = choose_victim(
                [s.name for s in cluster.servers],
                [s.client_port for s in cluster.servers],
                leader,
                kill_leader,
                url.port if url else None,
            )
            for n in range(3):
                await blocks.append_block(n, f"block {n + 1}".encode())
            followed: list[LogEntry] = []

            async def peer() -> None:
                async for entry in blocks.follow(1, batch=10, idle_wait_ms=200):
                    followed.append(entry)
                    if entry.seq == 6:
                        return

            follower = asyncio.create_task(peer())
            result = await probe_failover(tx_log, lambda: cluster.kill_server(victim), tag="failover")
            print(f"\nkilled {cluster.servers[victim].name} (leader {leader}): "
                  f"unavailable {result.unavailability_ms:.0f} ms, {len(result.acks)} acked")
            await _assert_every_ack_is_in_the_stream_once(tx_log, result)
            if kill_leader:
                assert await stream_leader_name(o.nc, o.cfg.tx_stream) != leader
            for n in range(3, 6):
                await blocks.append_block(n, f"block {n + 1}".encode())
            await asyncio.wait_for(follower, 60)
            assert [e[:2] for e in followed] == [(s, f"block {s}".encode()) for s in range(1, 7)]

            await asyncio.to_thread(cluster.restart_server, victim, 90_000)
            await _assert_healed(o)
            await tx_log.close()
            await blocks.close()
            return result.unavailability_ms

    try:
        return run(body(), timeout_s=200)
    finally:
        _restart_dead_servers(cluster)


@pytest.mark.timeout(300)
def test_sigkill_a_follower_server_during_publishes(nats_cluster: NatsCluster) -> None:
    unavailability_ms = _failover_scenario(nats_cluster, kill_leader=False)
    assert unavailability_ms < FOLLOWER_KILL_UNAVAILABILITY_MS_MAX


@pytest.mark.timeout(300)
def test_sigkill_the_stream_leader_during_publishes(nats_cluster: NatsCluster) -> None:
    unavailability_ms = _failover_scenario(nats_cluster, kill_leader=True)
    assert unavailability_ms < LEADER_KILL_UNAVAILABILITY_MS_MAX


@pytest.mark.timeout(300)
def test_a_reader_whose_consumer_server_dies_resumes_at_its_cursor(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            blocks = BlockLog(o.nc, o.cfg)
            for n in range(5):
                await blocks.append_block(n, f"block {n + 1}".encode())
            assert [e.seq for e in await read_n(blocks.read_blocks, 1, 3)] == [1, 2, 3]
            consumers = await o.nc.jetstream(timeout=5).consumers_info(o.cfg.blocks_stream)
            assert len(consumers) == 1 and consumers[0].cluster is not None
            host = consumers[0].cluster.leader
            victim = [s.name for s in nats_cluster.servers].index(host)
            await asyncio.to_thread(nats_cluster.kill_server, victim)
            for n in range(5, 8):
                await blocks.append_block(n, f"block {n + 1}".encode())
            got: list[LogEntry] = []
            deadline = time.monotonic() + 60
            while len(got) < 5 and time.monotonic() < deadline:
                got += await blocks.read_blocks(got[-1].seq + 1 if got else 4, max_count=10, max_wait_ms=500)
            assert [e[:2] for e in got] == [(s, f"block {s}".encode()) for s in range(4, 9)]
            await blocks.close()

    try:
        run(body(), timeout_s=200)
    finally:
        _restart_dead_servers(nats_cluster)
