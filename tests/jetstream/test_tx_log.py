"""The transactions stream: dedupe by Nats-Msg-Id, pipelined publishing, in-order reads from any seq."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from nats.js import JetStreamContext

from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import Published, RetryPolicy, TxLog
from tests.jetstream.helpers import PUBLISHER, ordering, read_n, run


def test_same_tx_id_twice_is_one_message(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            tx_log = TxLog(o.nc, o.cfg, member=PUBLISHER)
            first = await tx_log.publish_tx(b"\xaa" * 32, b"payload")
            again = await tx_log.publish_tx(b"\xaa" * 32, b"payload")
            other = await tx_log.publish_tx(b"\xbb" * 32, b"other")
            assert (first.seq, first.duplicate) == (1, False)
            assert (again.seq, again.duplicate) == (1, True)
            assert (other.seq, other.duplicate) == (2, False)
            assert [e[:2] for e in await read_n(tx_log.read_txs, 1, 2)] == [(1, b"payload"), (2, b"other")]
            assert await tx_log.read_txs(3, max_count=10, max_wait_ms=300) == []  # and nothing else
            await tx_log.close()

    run(body())


def test_concurrent_resends_of_one_tx_id_store_it_once(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            tx_log = TxLog(o.nc, o.cfg, member=PUBLISHER)
            for n in range(10):
                results = await asyncio.gather(*(tx_log.publish_tx(bytes([n]) * 32, b"same") for _ in range(8)))
                assert {r.seq for r in results} == {n + 1}
                assert sum(not r.duplicate for r in results) == 1
            info = await o.nc.jetstream().stream_info(o.cfg.tx_stream)
            assert info.state.messages == 10

    run(body())


def test_pipelined_publish_keeps_input_order_of_results(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            tx_log = TxLog(o.nc, o.cfg, member=PUBLISHER)
            items = [(i.to_bytes(8, "big"), f"tx-{i}".encode()) for i in range(2_000)]
            items.append(items[10])  # a resend inside the batch
            results = await tx_log.publish_txs_many(items, max_in_flight=128)
            assert len(results) == len(items)
            assert sorted(r.seq for r in results[:-1]) == list(range(1, 2_001))
            assert results[-1] == Published(results[10].seq, True)
            entries = await read_n(tx_log.read_txs, 1, 2_000)
            by_seq = {r.seq: payload for r, (_, payload) in zip(results, items, strict=True)}
            assert [(e.seq, e.payload) for e in entries] == sorted(by_seq.items())
            await tx_log.close()

    run(body())


def test_reader_resumes_from_any_sequence_and_waits_boundedly(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            tx_log = TxLog(o.nc, o.cfg, member=PUBLISHER)
            await tx_log.publish_txs_many([(bytes([i + 1]), bytes([i])) for i in range(50)])
            assert [e.seq for e in await read_n(tx_log.read_txs, 1, 10)] == list(range(1, 11))
            # Jump ahead (a new cutter resuming after the last block's range), then back.
            assert [e.seq for e in await read_n(tx_log.read_txs, 41, 10)] == list(range(41, 51))
            assert [e.payload for e in await read_n(tx_log.read_txs, 20, 3)] == [bytes([n]) for n in (19, 20, 21)]
            assert [e.seq for e in await read_n(tx_log.read_txs, 23, 3)] == [23, 24, 25]
            started = time.monotonic()
            assert await tx_log.read_txs(51, max_count=10, max_wait_ms=300) == []
            assert time.monotonic() - started < 5  # bounded: max_wait plus a round trip, on a loaded machine
            await tx_log.publish_tx(b"\x99", b"late")
            assert [e[:2] for e in await read_n(tx_log.read_txs, 51, 1)] == [(51, b"late")]
            await tx_log.close()

    run(body())


def test_read_returns_everything_available_at_once(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            tx_log = TxLog(o.nc, o.cfg, member=PUBLISHER)
            await tx_log.publish_txs_many([(i.to_bytes(4, "big"), b"x") for i in range(500)])
            for _ in range(20):
                # Each read from seq 1 starts a new consumer, maybe on a replica a few ms behind.
                started = time.monotonic()
                entries = await tx_log.read_txs(1, max_count=1_000, max_wait_ms=10_000)
                assert time.monotonic() - started < 5  # did not linger for the 500 that do not exist
                if len(entries) == 500:
                    break
                await asyncio.sleep(0.2)
            assert [e.seq for e in entries] == list(range(1, 501))
            await tx_log.close()

    run(body())


def test_pipelined_publishes_whose_acks_are_lost_are_retried_once_each(
    nats_cluster: NatsCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_publish_async = JetStreamContext.publish_async
    calls = {"n": 0}

    async def lossy_publish_async(self: JetStreamContext, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        calls["n"] += 1
        if calls["n"] % 10 == 0:
            return asyncio.get_running_loop().create_future()  # lost before the server: no answer
        future = await real_publish_async(self, *args, **kwargs)
        if calls["n"] % 10 == 5:
            future.cancel()  # stored by the server, but the ack is lost on the way back
            return asyncio.get_running_loop().create_future()
        return future

    monkeypatch.setattr(JetStreamContext, "publish_async", lossy_publish_async)

    async def body() -> None:
        async with ordering(nats_cluster) as o:
            tx_log = TxLog(o.nc, o.cfg, RetryPolicy(attempt_timeout_ms=300), member=PUBLISHER)
            items = [(i.to_bytes(4, "big"), f"tx-{i}".encode()) for i in range(200)]
            results = await tx_log.publish_txs_many(items, max_in_flight=32)
            assert sorted(r.seq for r in results) == list(range(1, 201))
            assert sum(r.duplicate for r in results) == 20  # the lost acks: stored the first time
            entries = await read_n(tx_log.read_txs, 1, 200)
            assert {e.seq: e.payload for e in entries} == {r.seq: p for r, (_, p) in zip(results, items, strict=True)}
            assert await tx_log.read_txs(201, max_count=10, max_wait_ms=300) == []
            await tx_log.close()

    run(body())
