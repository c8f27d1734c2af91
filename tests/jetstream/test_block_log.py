"""The blocks stream: optimistic appends (never two block N), last block, in-order following."""

from __future__ import annotations

import asyncio

import pytest

from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import BlockConflictError, BlockLog, LogEntry
from tests.jetstream.helpers import ordering, read_n, run


def test_append_checks_the_expected_last_sequence(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            blocks = BlockLog(o.nc, o.cfg)
            assert await blocks.last_block() is None
            assert await blocks.append_block(0, b"genesis") == 1
            assert await blocks.append_block(1, b"block 2") == 2
            with pytest.raises(BlockConflictError) as conflict:
                await blocks.append_block(1, b"stale cutter's block 2")
            assert (conflict.value.expected_last_seq, conflict.value.actual_last_seq) == (1, 2)
            last = await blocks.last_block()
            assert last is not None and last[:2] == (2, b"block 2") and last.ts_ms > 0
            await blocks.close()

    run(body())


def test_concurrent_appenders_for_the_same_height_exactly_one_wins(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            cutters = [BlockLog(o.nc, o.cfg) for _ in range(3)]
            for height in range(20):
                outcomes = await asyncio.gather(
                    *(c.append_block(height, f"cutter {i} block {height + 1}".encode()) for i, c in enumerate(cutters)),
                    return_exceptions=True,
                )
                won = [r for r in outcomes if isinstance(r, int)]
                lost = [r for r in outcomes if isinstance(r, BlockConflictError)]
                assert won == [height + 1] and len(lost) == 2, outcomes
            chain = await read_n(cutters[0].read_blocks, 1, 20)
            assert [e.seq for e in chain] == list(range(1, 21))
            assert all(e.payload.endswith(f"block {e.seq}".encode()) for e in chain)

    run(body())


def test_follow_yields_every_block_in_order_from_a_height(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            blocks = BlockLog(o.nc, o.cfg)
            for n in range(5):
                await blocks.append_block(n, f"b{n + 1}".encode())
            seen: list[LogEntry] = []

            async def peer() -> None:
                async for entry in blocks.follow(3, batch=2, idle_wait_ms=200):
                    seen.append(entry)
                    if entry.seq == 8:
                        return

            follower = asyncio.create_task(peer())
            for n in range(5, 8):
                await asyncio.sleep(0.1)
                await blocks.append_block(n, f"b{n + 1}".encode())
            await asyncio.wait_for(follower, 30)
            assert [e[:2] for e in seen] == [(s, f"b{s}".encode()) for s in range(3, 9)]
            await blocks.close()

    run(body())
