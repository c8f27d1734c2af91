"""``inzira bench network``: signed transfers through the JetStream ordering service to a local network of
peer processes, counted as committed only once EVERY peer has validated and stored them.

It starts its own NATS cluster and peers (in a temporary folder), opens and funds accounts, signs the
transfers before the clock starts (clients sign on their own machines), then publishes them to the
transactions stream in batches, keeping at most ``IN_FLIGHT_MAX`` uncommitted. With ``failover`` a NATS
server is SIGKILLed under the same load, and the longest time without a commit on every peer is the
unavailability.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inzira.bench import cpu
from inzira.bench.network_load import Load, LoadReport, machine_load, open_accounts, sign_transfers
from inzira.bench.stats import machine, percentile_ms
from inzira.ledger.tx import decode_signed, tx_id_of
from inzira.network.layout import NATS_DIR, NetworkSettings
from inzira.network.local_network import LocalNetwork
from inzira.network.nats_cluster import NatsCluster
from inzira.node.reader import load_genesis
from inzira.ordering.jetstream import BlockLog, TxLog, connect
from inzira.ordering.jetstream.failover_probe import stream_leader_name

PEERS = ("cbr", "sbk", "mobimo", "ubumwe", "imari-fx", "silkpay", "eurosend")
PAYER = "eurosend"
FAILOVER_MODES = ("none", "follower", "leader")
FAILOVER_LOAD_S = 12.0  # the load of the failover phase lasts about this long at the measured rate
KILL_AFTER_S = 3.0


def _victim(leaders: dict[str, str], names: list[str], mode: str) -> str:
    """The server to kill: the transactions stream's leader, or one leading neither the transactions nor
    the blocks stream (it may lead the lease bucket or the meta group: the peers ride those out)."""
    if mode == "leader":
        return leaders["tx"]
    spare = [n for n in names if n not in leaders.values()]
    return spare[0] if spare else next(n for n in names if n not in (leaders["tx"], leaders["blocks"]))


def _figures(report: LoadReport) -> dict[str, Any]:
    return {
        "transfers": report.count,
        "seconds": round(report.seconds, 3),
        "committed_per_s": round(report.rate, 1),
        "p50_ms": percentile_ms(report.latencies_s, 0.50),
        "p99_ms": percentile_ms(report.latencies_s, 0.99),
    }


async def _failover(net: LocalNetwork, load: Load, chain_id: bytes, accounts: tuple[list[str], list[str]],
                    mode: str, rate: float, rate_per_s: float) -> dict[str, Any]:
    cluster = NatsCluster.attach(net.folder / NATS_DIR)
    names = [s.name for s in cluster.servers]
    leaders = {"tx": await stream_leader_name(load.nc, load.cfg.tx_stream),
               "blocks": await stream_leader_name(load.nc, load.cfg.blocks_stream),
               "lease": await stream_leader_name(load.nc, f"KV_{load.cfg.lease_bucket}"),
               "meta": cluster.health()[0].meta_leader}
    victim = _victim(leaders, names, mode)
    raws, _ = sign_transfers(net, chain_id, *accounts, int(FAILOVER_LOAD_S * max(rate, 500.0)), memo="failover")
    killed: list[float] = []

    async def kill_later() -> None:
        await asyncio.sleep(KILL_AFTER_S)
        killed.append(time.monotonic())
        await asyncio.to_thread(cluster.kill_server, names.index(victim))

    killer = asyncio.create_task(kill_later())
    try:
        report = await load.run(raws, None, rate_per_s)
    finally:
        await killer
    unavailable_ms = report.longest_gap_ms(killed[0])
    await asyncio.to_thread(cluster.restart_server, names.index(victim), 90_000)
    return {"mode": mode, "killed": victim, "stream_leaders": leaders, "transfers": report.count,
            "committed_per_s": round(report.rate, 1), "unavailability_ms": round(unavailable_ms, 1)}


def _process_groups(net: LocalNetwork) -> dict[str, list[int]]:
    """Where the CPU goes: peers, their signature workers, the NATS servers, this load generator."""
    peer_pids = [net.endpoint(m).pid for m in net.running_peers()]
    servers = [s.pid for s in NatsCluster.attach(net.folder / NATS_DIR).status() if s.alive]
    return {"peers": peer_pids, "signature_workers": [c for p in peer_pids for c in cpu.children(p)],
            "nats_servers": servers, "load_generator": [os.getpid()]}


async def _run(net: LocalNetwork, members: list[str], transfers: int, failover: str, rate_per_s: float,
               on_progress: Callable[[int], None] | None) -> dict[str, Any]:
    genesis = load_genesis(net.folder)
    cfg = net.ordering()
    # The load generator is the payer's system (eurosend signs the transfers): it connects as that member.
    nc = await connect(net.nats_urls, "inzira-bench", credentials=net.nats_credentials(PAYER))
    load = Load(nc, cfg, TxLog(nc, cfg, member=PAYER), members)
    try:
        await load.listen()
        accounts = await open_accounts(load, net, genesis.chain_id)
        raws, sign_s = sign_transfers(net, genesis.chain_id, *accounts, transfers)
        groups = _process_groups(net)
        cpu_before = cpu.snapshot(groups)
        report = await load.run(raws, on_progress, rate_per_s)
        cpu_used = cpu.used(cpu_before, cpu.snapshot(groups))
        ids = [tx_id_of(decode_signed(raw).body) for raw in raws]
        result: dict[str, Any] = {**_figures(report), **await load.count_committed(BlockLog(nc, cfg), ids),
                                  "signing_seconds_untimed": round(sign_s, 3),
                                  "cpu_seconds_during_load": cpu_used}
        if failover != "none":
            result["failover"] = await _failover(net, load, genesis.chain_id, accounts, failover, report.rate,
                                                 rate_per_s)
            result["unavailability_ms"] = result["failover"]["unavailability_ms"]
        return result
    finally:
        await load.close()
        await nc.close()


def run(transfers: int, peers: int = 3, servers: int = 3, failover: str = "none", data_dir: Path | None = None,
        on_progress: Callable[[int], None] | None = None, block_txs_max: int = 2_000,
        block_interval_ms: int = 50, verify_workers: int = 1, rate_per_s: float = 0.0) -> dict[str, Any]:
    if not 3 <= peers <= len(PEERS):
        raise ValueError(f"peers must be in 3..{len(PEERS)}")
    if failover not in FAILOVER_MODES:
        raise ValueError(f"failover must be one of {FAILOVER_MODES}")
    if failover != "none" and servers < 3:
        raise ValueError("killing a server under load needs at least 3 servers (a Raft quorum survives)")
    background = machine_load()
    folder = data_dir or Path(tempfile.mkdtemp(prefix="inzira-bench-net-"))
    net = LocalNetwork(folder)
    members = list(PEERS[:peers])
    settings = NetworkSettings(block_txs_max=block_txs_max, block_interval_ms=block_interval_ms,
                               replicas=min(3, servers), verify_workers=verify_workers)
    started = time.perf_counter()
    try:
        net.up(members, servers, settings=settings)
        setup_s = time.perf_counter() - started
        result = asyncio.run(_run(net, members, transfers, failover, rate_per_s, on_progress))
    finally:
        net.down()
        if data_dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    return {
        "benchmark": "network",
        **result,
        "servers": servers,
        "peers": peers,
        "block_txs_max": block_txs_max,
        "block_interval_ms": block_interval_ms,
        "verify_workers_per_peer": verify_workers or os.cpu_count(),
        "offered_rate_per_s": rate_per_s or "as fast as committed (window of uncommitted transfers)",
        "network_start_seconds": round(setup_s, 1),
        "committed_means": "stored by every peer after its own validation (signatures, replay, state hash)",
        "background_load_before": background,
        **machine(),
    }
