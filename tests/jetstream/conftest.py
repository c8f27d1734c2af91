"""One real 3-server NATS cluster on loopback for the whole session, stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from inzira.network.nats_cluster import NatsCluster


@pytest.fixture(scope="session")
def nats_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsCluster]:
    # Generous ready timeout: other test suites may be loading this 2-core machine.
    cluster = NatsCluster(tmp_path_factory.mktemp("nats"), 3, ready_timeout_ms=90_000)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
