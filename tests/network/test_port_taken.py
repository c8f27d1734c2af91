"""A peer's API port was free when the network assigned it, but another process can take it before the peer
binds it: any outgoing connection on the machine may get it as its local port. The peer then exited, and
`up` failed ("the peer ... exited"; its log: Address already in use), which a busy machine hit in CI. Now that
peer starts again on a new port, and the change is said as for a port taken while the network was down."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from inzira.network import local_network
from inzira.network.nats_cluster import NatsCluster
from inzira.network.peer_client import peer_status
from inzira.network.processes import ServerProcess
from inzira.peer.config import load_config
from tests.network.helpers import running_network


def test_a_peer_whose_port_was_taken_before_it_listened_starts_again_on_a_new_one(
        tmp_path: Path, nats_cluster: NatsCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    spawn_real = local_network.spawn_peer
    squatters: list[socket.socket] = []

    def spawn_after_a_squatter(folder: Path) -> ServerProcess:
        if not squatters:  # the first peer's port is taken just before the peer binds it
            squatter = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            squatter.bind(("127.0.0.1", load_config(folder).api_port))
            squatter.listen()
            squatters.append(squatter)
        return spawn_real(folder)

    monkeypatch.setattr(local_network, "spawn_peer", spawn_after_a_squatter)
    try:
        with running_network(tmp_path, nats_cluster, ["cbr", "mobimo"]) as net:
            taken = squatters[0].getsockname()[1]
            [change] = net.local.port_changes
            assert f":{taken}" in change and "taken by another process" in change, change
            for member in ("cbr", "mobimo"):
                url = net.local.api_url(member)
                assert not url.endswith(f":{taken}")
                assert (peer_status(url) or {}).get("ready"), member
    finally:
        for squatter in squatters:
            squatter.close()
