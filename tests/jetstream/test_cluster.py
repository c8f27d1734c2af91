"""The local cluster manager: state file, readiness, port clashes, stopping from another 'process'."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

import inzira.network.nats_cluster as nats_cluster_module
from inzira.network.nats_cluster import NatsCluster
from inzira.network.nats_server import ClusterError
from inzira.network.nats_state import read_state, state_path
from inzira.network.processes import pid_is_ours
from inzira.ordering.jetstream import BlockLog, OrderingConfig, TxLog, connect, ensure_streams
from tests.jetstream.helpers import run


def test_state_file_records_every_server(nats_cluster: NatsCluster) -> None:
    state = read_state(nats_cluster.folder)
    assert state is not None
    assert [r.spec.client_url for r in state.servers] == nats_cluster.urls
    ports = [p for r in state.servers for p in (r.spec.client_port, r.spec.cluster_port, r.spec.http_port)]
    assert len(set(ports)) == 9
    for record in state.servers:
        assert pid_is_ours(record.pid, str(record.spec.config_path))
        assert record.spec.client_url.startswith("nats://127.0.0.1:")
    health = nats_cluster.health()
    assert all(h.healthy for h in health)
    assert len({h.meta_leader for h in health}) == 1


@pytest.mark.timeout(120)
def test_detached_cluster_is_found_and_stopped_through_its_state_file(tmp_path: Path) -> None:
    cluster = NatsCluster(tmp_path / "single", 1, ready_timeout_ms=60_000)
    cluster.start()
    cluster.detach()  # as `inzira network up` does: servers outlive the command
    pids = [s.pid for s in cluster.status()]
    try:
        data = json.loads(state_path(tmp_path / "single").read_text())
        assert [s["pid"] for s in data["servers"]] == pids

        with pytest.raises(ClusterError, match="still running"):
            NatsCluster(tmp_path / "single", 1).start()

        found = NatsCluster.attach(tmp_path / "single")  # as `inzira network down` does
        assert [s.alive for s in found.status()] == [True]
        found.stop()
        assert not any(pid_is_ours(pid, "nats-server.conf") for pid in pids)
        assert not state_path(tmp_path / "single").exists()
    finally:
        cluster.stop()


async def _single_server_ordering(cluster: NatsCluster) -> None:
    cfg = OrderingConfig("single", replicas=1)
    nc = await connect(cluster.urls, credentials=cluster.admin_credentials)
    try:
        await ensure_streams(nc, cfg)
        assert (await TxLog(nc, cfg, member="m").publish_tx(b"\x01", b"tx")).seq == 1
        assert await BlockLog(nc, cfg).append_block(0, b"genesis") == 1
    finally:
        await nc.close()


@pytest.mark.timeout(120)
def test_start_retries_with_new_ports_when_one_is_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    real_reserve = nats_cluster_module.reserve_ports
    calls: list[list[int]] = []

    def first_one_taken(count: int, host: str = "127.0.0.1") -> list[int]:
        ports = real_reserve(count, host)
        if not calls:
            ports[0] = squatter.getsockname()[1]  # someone took it between reserving and binding
        calls.append(ports)
        return ports

    monkeypatch.setattr(nats_cluster_module, "reserve_ports", first_one_taken)
    try:
        with NatsCluster(tmp_path / "retry", 1, ready_timeout_ms=60_000) as cluster:
            assert len(calls) == 2
            assert cluster.servers[0].client_port == calls[1][0]
            run(_single_server_ordering(cluster))  # replicas=1 on a single server
    finally:
        squatter.close()
