"""Micro-benchmark of the tx log on a throw-away local cluster; not a test.

    python -m inzira.ordering.jetstream.bench [--servers 3] [--count 20000] [--in-flight 256]
        [--payload-bytes 200] [--failover none|follower|leader|both] [--json]

Reports publish rates (pipelined and one at a time), the in-order read rate of the block cutter
and, with --failover, how long publishing stalls when a follower or the stream leader is SIGKILLed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from nats.aio.client import Client as NATS

from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream.config import OrderingConfig
from inzira.ordering.jetstream.connection import connect
from inzira.ordering.jetstream.failover_probe import choose_victim, probe_failover, stream_leader_name
from inzira.ordering.jetstream.streams import ensure_streams
from inzira.ordering.jetstream.tx_log import TxLog

SEQUENTIAL_COUNT_MAX = 2_000  # one-at-a-time publishing is slow; a sample is enough


@dataclass(frozen=True, slots=True)
class PublishRate:
    count: int
    seconds: float
    max_in_flight: int

    @property
    def msgs_per_s(self) -> float:
        return self.count / self.seconds if self.seconds > 0 else 0.0


async def measure_publish_rate(
    tx_log: TxLog, count: int, *, payload_bytes: int = 200, max_in_flight: int = 256, tag: str = "bench"
) -> PublishRate:
    """Publishes `count` distinct small txs with up to `max_in_flight` acks outstanding."""
    padding = os.urandom(payload_bytes)
    items = [(f"{tag}-{i}".encode(), padding) for i in range(count)]
    started = time.perf_counter()
    results = await tx_log.publish_txs_many(items, max_in_flight=max_in_flight)
    seconds = time.perf_counter() - started
    duplicates = sum(r.duplicate for r in results)
    if duplicates:
        raise RuntimeError(f"{duplicates} unexpected duplicates: is the tag reused?")
    return PublishRate(count, seconds, max_in_flight)


async def measure_read_rate(tx_log: TxLog, count: int, batch: int = 1_000) -> float:
    """Reads the first `count` txs in order, as the block cutter does; returns msgs/s."""
    started = time.perf_counter()
    next_seq = 1
    for _ in range(count):  # at least one entry per read, so this bounds the loop
        if next_seq > count:
            break
        entries = await tx_log.read_txs(next_seq, max_count=min(batch, count - next_seq + 1), max_wait_ms=1_000)
        if entries:
            next_seq = entries[-1].seq + 1
    return (next_seq - 1) / (time.perf_counter() - started)


async def _failover(
    cluster: NatsCluster, nc: NATS, tx_log: TxLog, cfg: OrderingConfig, victim: str
) -> dict[str, object]:
    leader = await stream_leader_name(nc, cfg.tx_stream)
    url = nc.connected_url
    index = choose_victim(
        [s.name for s in cluster.servers],
        [s.client_port for s in cluster.servers],
        leader,
        victim == "leader",
        url.port if url else None,
    )
    result = await probe_failover(tx_log, lambda: cluster.kill_server(index), tag=f"failover-{victim}")
    await asyncio.to_thread(cluster.restart_server, index)
    return {
        "server": cluster.servers[index].name,
        "unavailability_ms": round(result.unavailability_ms, 1),
        "acked": len(result.acks),
        "failed": result.failures,
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    report: dict[str, object] = {"servers": args.servers, "cores": os.cpu_count(), "count": args.count}
    with (
        tempfile.TemporaryDirectory(prefix="inzira-bench-") as folder,
        NatsCluster(Path(folder), args.servers) as cluster,
    ):
        cfg = OrderingConfig("bench", replicas=min(3, args.servers))
        nc = await connect(cluster.urls, "inzira-bench", credentials=cluster.admin_credentials)
        try:
            await ensure_streams(nc, cfg)
            tx_log = TxLog(nc, cfg, member="bench")
            pipelined = await measure_publish_rate(
                tx_log, args.count, payload_bytes=args.payload_bytes, max_in_flight=args.in_flight
            )
            sequential = await measure_publish_rate(
                tx_log,
                min(args.count, SEQUENTIAL_COUNT_MAX),
                payload_bytes=args.payload_bytes,
                max_in_flight=1,
                tag="seq",
            )
            report["pipelined_msgs_per_s"] = round(pipelined.msgs_per_s)
            report["in_flight"] = args.in_flight
            report["read_msgs_per_s"] = round(await measure_read_rate(tx_log, args.count))
            report["sequential_msgs_per_s"] = round(sequential.msgs_per_s)
            victims = {"none": [], "follower": ["follower"], "leader": ["leader"], "both": ["follower", "leader"]}
            for victim in victims[args.failover]:
                report[f"kill_{victim}"] = await _failover(cluster, nc, tx_log, cfg, victim)
            await tx_log.close()
        finally:
            await nc.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--in-flight", type=int, default=256)
    parser.add_argument("--payload-bytes", type=int, default=200)
    parser.add_argument("--failover", choices=["none", "follower", "leader", "both"], default="none")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report))
    else:
        for key, value in report.items():
            print(f"{key:>24}: {value}")


if __name__ == "__main__":
    main()
