"""Reading streams with batched direct gets: in order, without holes, with no consumer, across a server kill."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import BlockLog, CheckpointLog, LogEntry, OrderingConfig, TxLog, connect, ensure_streams
from inzira.ordering.jetstream.direct_reader import DirectReader
from tests.network.helpers import restart_dead_servers

TIMEOUT_S = 120


def _config(**extra: object) -> OrderingConfig:
    return OrderingConfig("d" + uuid.uuid4().hex[:12], direct_reads=True, **extra)  # type: ignore[arg-type]


async def _read_all(read, first: int, count: int) -> list[LogEntry]:  # noqa: ANN001 (a reader's read)
    got: list[LogEntry] = []
    for _ in range(count + 10):
        if len(got) >= count:
            break
        got += await read(got[-1].seq + 1 if got else first, 50, 2_000)
    return got


@pytest.mark.timeout(TIMEOUT_S)
def test_batches_in_order_and_nothing_after_the_end(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        cfg = _config()
        nc = await connect(nats_cluster.urls, "test-direct", credentials=nats_cluster.admin_credentials)
        try:
            await ensure_streams(nc, cfg)
            tx_log = TxLog(nc, cfg, member="cbr")
            payloads = [f"tx-{i}".encode() for i in range(120)]
            await tx_log.publish_txs_many([(p, p) for p in payloads])
            got = await _read_all(tx_log.read_txs, 1, 120)
            assert [e.seq for e in got] == list(range(1, 121)) and [e.payload for e in got] == payloads
            assert await tx_log.read_txs(121, max_count=10, max_wait_ms=300) == []
            consumers = await nc.jetstream(timeout=5).consumers_info(cfg.tx_stream)
            assert consumers == [], "direct reads create no consumer"
            await tx_log.close()
        finally:
            await nc.close()

    asyncio.run(asyncio.wait_for(body(), TIMEOUT_S))


@pytest.mark.timeout(TIMEOUT_S)
def test_a_read_below_the_retained_blocks_jumps_and_filtered_reads_see_only_their_subjects(
        nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        cfg = _config(blocks_max_msgs=5)
        nc = await connect(nats_cluster.urls, "test-direct", credentials=nats_cluster.admin_credentials)
        try:
            await ensure_streams(nc, cfg)
            blocks = BlockLog(nc, cfg)
            for n in range(12):
                await blocks.append_block(n, f"block {n + 1}".encode())
            assert await blocks.bounds() == (8, 12)
            got = await _read_all(blocks.read_blocks, 1, 5)
            assert [e.seq for e in got] == [8, 9, 10, 11, 12]  # the jump tells the reader what was dropped
            log = CheckpointLog(nc, cfg)
            await log.publish("cbr", b"regular")
            await log.publish("cbr", b"snap-1", snapshot=True)
            await log.publish("sbk", b"snap-2", snapshot=True)
            for _ in range(50):
                history = await log.snapshot_history()
                if len(history) == 2:
                    break
                await asyncio.sleep(0.1)
            assert history == [b"snap-1", b"snap-2"]
            await blocks.close()
        finally:
            await nc.close()

    asyncio.run(asyncio.wait_for(body(), TIMEOUT_S))


@pytest.mark.timeout(TIMEOUT_S)
def test_reads_go_on_when_a_server_dies(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        cfg = _config()
        nc = await connect(nats_cluster.urls, "test-direct", credentials=nats_cluster.admin_credentials)
        try:
            await ensure_streams(nc, cfg)
            blocks = BlockLog(nc, cfg)
            for n in range(6):
                await blocks.append_block(n, f"block {n + 1}".encode())
            reader = DirectReader(nc, cfg.blocks_stream, cfg.blocks_subject)
            assert [e.seq for e in await reader.read(1, 3, 2_000)] == [1, 2, 3]
            await asyncio.to_thread(nats_cluster.kill_server, 0)
            rest = await _read_all(reader.read, 4, 3)
            assert [e.payload for e in rest] == [b"block 4", b"block 5", b"block 6"]
            await reader.close()
        finally:
            await nc.close()

    try:
        asyncio.run(asyncio.wait_for(body(), TIMEOUT_S))
    finally:
        restart_dead_servers(nats_cluster)
