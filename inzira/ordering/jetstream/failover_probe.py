"""Measures how long publishing stalls when a server dies, and collects every acknowledged tx.

Several publishers keep publishing while `kill` runs; the unavailability is the longest stretch
without any acknowledgement, counted from the last ack before the kill. The acks are returned so a
caller can read the stream back and check that nothing acknowledged was lost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from nats.aio.client import Client as NATS

from inzira.ordering.jetstream.errors import OrderingError
from inzira.ordering.jetstream.retry import RetryPolicy, with_retries
from inzira.ordering.jetstream.tx_log import TxLog

PUBLISHERS_MAX = 64
BATCH_MAX = 1_000
RECOVERED_QUIET_MS = 200  # an ack this recent means publishing is flowing again


@dataclass(frozen=True, slots=True)
class Ack:
    at_s: float  # time.monotonic() when the ack arrived
    seq: int
    payload: bytes


@dataclass(slots=True)
class FailoverResult:
    acks: list[Ack] = field(default_factory=list)
    failures: int = 0  # publishes that gave up (retry budget spent); they were not acknowledged
    killed_at_s: float = 0.0
    unavailability_ms: float = 0.0


async def stream_leader_name(nc: NATS, stream: str, policy: RetryPolicy | None = None) -> str:
    retry = policy or RetryPolicy()
    js = nc.jetstream(timeout=retry.attempt_timeout_s)
    info = await with_retries(f"stream info {stream}", retry, lambda: js.stream_info(stream))
    leader = info.cluster.leader if info.cluster else None
    if not leader:
        raise OrderingError(f"stream {stream} has no leader")
    return leader


def choose_victim(
    names: list[str], client_ports: list[int], leader: str, kill_leader: bool, connected_port: int | None
) -> int:
    """Index of the server to kill: the leader, or preferably the follower the client is connected
    to (then the client has to fail over too, the worse case of the two followers)."""
    if kill_leader:
        return names.index(leader)
    followers = [i for i, name in enumerate(names) if name != leader]
    return next((i for i in followers if client_ports[i] == connected_port), followers[0])


def _unavailability_ms(acks: list[Ack], killed_at_s: float, ended_at_s: float) -> float:
    """Longest time without an ack from the last ack before the kill to the end of the probe."""
    times = sorted(a.at_s for a in acks)
    before = [t for t in times if t <= killed_at_s]
    points = sorted([before[-1] if before else killed_at_s, *(t for t in times if t > killed_at_s), ended_at_s])
    return max(b - a for a, b in zip(points, points[1:], strict=False)) * 1000


async def probe_failover(
    tx_log: TxLog,
    kill: Callable[[], object],
    *,
    tag: str,
    publishers: int = 8,
    batched_publishers: int = 2,
    batch: int = 16,
    before_kill_ms: int = 1_000,
    after_kill_ms: int = 3_000,
    deadline_ms: int = 60_000,
    payload_bytes: int = 100,
) -> FailoverResult:
    """Publishes `<tag>-<publisher>-<n>` txs, runs `kill` (in a thread) midway, and measures the stall.

    `batched_publishers` of the publishers go through `publish_txs_many` in batches of `batch`
    (acks counted when a batch completes), the others through `publish_tx` one at a time.

    Publishing goes on until `after_kill_ms` have passed since the kill and acks flow again, or
    `deadline_ms` passed in total.
    """
    if not 1 <= publishers <= PUBLISHERS_MAX:
        raise ValueError(f"publishers must be in 1..{PUBLISHERS_MAX}")
    if not 0 <= batched_publishers <= publishers or not 1 <= batch <= BATCH_MAX:
        raise ValueError(f"batched_publishers must be in 0..publishers, batch in 1..{BATCH_MAX}")
    result = FailoverResult()
    stop = asyncio.Event()
    padding = b"." * payload_bytes

    async def publisher(worker: int, size: int) -> None:
        n = 0
        while not stop.is_set():
            tx_ids = [f"{tag}-{worker}-{n + i}".encode() for i in range(size)]
            items = [(tx_id, tx_id + b"|" + padding) for tx_id in tx_ids]
            n += size
            try:
                if size == 1:
                    published = [await tx_log.publish_tx(*items[0])]
                else:
                    published = await tx_log.publish_txs_many(items, max_in_flight=size)
            except OrderingError:
                result.failures += size
                continue
            now = time.monotonic()
            result.acks.extend(Ack(now, p.seq, payload) for p, (_, payload) in zip(published, items, strict=True))

    started = time.monotonic()
    deadline = started + deadline_ms / 1000
    tasks = [asyncio.create_task(publisher(w, 1 if w >= batched_publishers else batch)) for w in range(publishers)]
    try:
        await asyncio.sleep(before_kill_ms / 1000)
        result.killed_at_s = time.monotonic()
        await asyncio.to_thread(kill)
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            flowing = bool(result.acks) and now - result.acks[-1].at_s < RECOVERED_QUIET_MS / 1000
            if flowing and now - result.killed_at_s >= after_kill_ms / 1000:
                break
    finally:
        stop.set()
        ended_at_s = time.monotonic()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    result.unavailability_ms = _unavailability_ms(result.acks, result.killed_at_s, ended_at_s)
    return result
