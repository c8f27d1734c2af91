"""GET /v1/events ends when its caller is removed from the network, not minutes later.

A network of its own: removing a member for good would change every other test's network.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.demo.setup import create_demo_network, load_api_keys
from inzira.ledger.tx import RemoveMember
from tests.api.conftest import TEST_SETTINGS
from tests.hosted import Hosted
from tests.stream_end import STREAM_TIMEOUT, closed_frame

REMOVED = "imari-fx"  # holds no account, no directory entry: a quorum may remove it
QUORUM = ("cbr", "sbk", "eurosend", "silkpay", "mobimo")


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hosted, str]]:
    data_dir = tmp_path_factory.mktemp("removal")
    create_demo_network(data_dir, time.time_ns() // 1_000_000 - 1_000)
    with Hosted(data_dir, block_interval_ms=5) as net:
        served, _port = serve_in_thread(create_app(net, settings=TEST_SETTINGS))
        try:
            yield net, served.base_url
        finally:
            served.stop()


def test_a_removed_members_block_stream_ends(network: tuple[Hosted, str]) -> None:
    net, base_url = network
    token = load_api_keys(net.data_dir)[REMOVED]
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"},
                      timeout=STREAM_TIMEOUT) as member:
        with member.stream("GET", "/v1/events") as stream:
            assert stream.status_code == 200
            lines = stream.iter_lines()
            assert next(lines).startswith("retry: ")
            assert net.execute(QUORUM[0], RemoveMember(REMOVED), *QUORUM[1:]).code == 0
            closed = closed_frame(lines)
        assert closed["reason"] == "member_removed" and closed["code"] == 4300
        refused = member.get("/v1/events")
        assert refused.status_code == 403 and refused.json()["code"] == 4300
