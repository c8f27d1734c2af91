"""One real 3-server NATS cluster on loopback for the session, and networks of real peer processes on it
(each network has its own streams: they are named after its chain id)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inzira.network.nats_cluster import NatsCluster
from tests.network.helpers import MEMBERS, Net, running_network


@pytest.fixture(scope="session")
def nats_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsCluster]:
    # Generous ready timeout: other test suites may be loading this 2-core machine.
    cluster = NatsCluster(tmp_path_factory.mktemp("nats"), 3, ready_timeout_ms=90_000)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def fault_net(tmp_path_factory: pytest.TempPathFactory, nats_cluster: NatsCluster) -> Iterator[Net]:
    """Peer processes for the fault tests, with eurosend's and mobimo's EUR accounts (eurosend's funded)."""
    with running_network(Path(tmp_path_factory.mktemp("faults")), nats_cluster, MEMBERS) as net:
        net.open_funded("eurosend", "eur", "EUR", 10**12, "sbk")
        net.open_funded("mobimo", "eur", "EUR", 0, "sbk")
        yield net
