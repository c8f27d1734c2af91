"""A real ledger behind a real HTTP server: the demo network in a temporary folder, the embedded runtime,
and the API served by uvicorn on 127.0.0.1. Shared by the whole session; every test opens accounts with
fresh names so tests do not depend on each other."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from inzira.api.app import create_app
from inzira.api.client import LedgerHttpClient
from inzira.api.server import ServedApp, serve_in_thread
from inzira.api.settings import ApiSettings
from inzira.demo.members import DEMO_CURRENCIES
from inzira.demo.setup import create_demo_network, load_api_keys
from inzira.ledger.tx import Issue, OpenAccount, Op
from tests.hosted import Hosted as Embedded

HTTP_TIMEOUT_S = 15.0
# Short timings so event tests see heartbeats and blocks quickly.
TEST_SETTINGS = ApiSettings(events_heartbeat_ms=200, events_replay_page_blocks=3)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Ledger:
    data_dir: Path
    net: Embedded
    app: FastAPI
    served: ServedApp
    tokens: dict[str, str]  # member -> API token

    @property
    def base_url(self) -> str:
        return self.served.base_url

    def http(self, member: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"} if member else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=HTTP_TIMEOUT_S)

    def client(self, member: str) -> LedgerHttpClient:
        return LedgerHttpClient(self.base_url, self.tokens[member], timeout_s=HTTP_TIMEOUT_S)

    def sign(self, member: str, op: Op, ref: str | None = None) -> bytes:
        return self.net.signer(member).sign(op, ref)

    def account(self, member: str, currency: str, funded_minor: int = 0) -> str:
        """A new account of ``member`` (set up directly on the node, not through the API under test)."""
        account_id = f"{member}:{currency.lower()}-{uuid.uuid4().hex[:10]}"
        assert self.net.execute(member, OpenAccount(account_id, currency)).code == 0
        if funded_minor:
            issuer = DEMO_CURRENCIES[currency]
            assert self.net.execute(issuer, Issue(account_id, funded_minor, currency)).code == 0
        return account_id


@pytest.fixture(scope="session")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    data_dir = tmp_path_factory.mktemp("ledger")
    create_demo_network(data_dir, now_ms() - 1_000)
    net = Embedded(data_dir, block_interval_ms=5)
    net.start()
    try:
        app = create_app(net, settings=TEST_SETTINGS)
        served, _port = serve_in_thread(app)
        try:
            yield Ledger(data_dir, net, app, served, load_api_keys(data_dir))
        finally:
            served.stop()
    finally:
        net.stop()
