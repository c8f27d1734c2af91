"""Stream setup: replicated, idempotent, limits as configured."""

from __future__ import annotations

import pytest

from inzira.network.nats_cluster import NatsCluster
from inzira.ordering.jetstream import (
    OrderingConfig,
    PayloadTooLargeError,
    StreamConfigMismatchError,
    TxLog,
    ensure_streams,
)
from tests.jetstream.helpers import PUBLISHER, ordering, run


def test_streams_are_replicated_on_three_servers(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            js = o.nc.jetstream()
            for stream in (o.cfg.tx_stream, o.cfg.blocks_stream, f"KV_{o.cfg.lease_bucket}"):
                info = await js.stream_info(stream)
                assert info.config.num_replicas == 3
                assert info.cluster is not None and info.cluster.leader
                assert len(info.cluster.replicas or []) == 2  # the two followers
            tx = (await js.stream_info(o.cfg.tx_stream)).config
            assert tx.subjects == [o.cfg.tx_subjects]
            assert tx.duplicate_window == 120
            assert tx.max_msg_size == o.cfg.max_message_bytes

    run(body())


def test_setup_is_idempotent_and_refuses_other_settings(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster) as o:
            await ensure_streams(o.nc, o.cfg)  # same settings again: fine
            other = OrderingConfig(o.cfg.network, duplicate_window_ms=30_000)
            with pytest.raises(StreamConfigMismatchError, match="duplicate_window"):
                await ensure_streams(o.nc, other)

    run(body())


def test_payload_limit_is_exact(nats_cluster: NatsCluster) -> None:
    async def body() -> None:
        async with ordering(nats_cluster, max_payload_bytes=64 * 1024) as o:
            tx_log = TxLog(o.nc, o.cfg, member=PUBLISHER)
            published = await tx_log.publish_tx(b"\x01" * 32, b"x" * (64 * 1024))
            assert published.seq == 1
            with pytest.raises(PayloadTooLargeError):
                await tx_log.publish_tx(b"\x02" * 32, b"x" * (64 * 1024 + 1))

    run(body())
