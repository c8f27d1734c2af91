"""The FX provider's quote desk for attack tests: a desk signing with a fixed key on a fixed chain, and its quote
service (``inzira.fx.app``) served on loopback with the clients' tokens and a clock the test moves."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from inzira.api.server import serve_in_thread
from inzira.crypto import KeyPair
from inzira.fx.app import fx_app
from inzira.fx.desk import FxDesk
from inzira.fx.rate_source import RateSource
from inzira.fx.rates import RateTable
from inzira.node.custody import QuoteKey

CHAIN_ID = hashlib.sha256(b"fx-attack-chain").digest()
FX_MEMBER = "imari-fx"
FX_KEY = KeyPair.from_seed(hashlib.sha256(b"fx-attack/imari-fx").digest())
TOKENS = {"eurosend": "fxc-eurosend-token", "silkpay": "fxc-silkpay-token"}
T0_MS = 1_790_000_000_000
HTTP_TIMEOUT_S = 10.0
QUOTES = "/fx/v1/fxQuotes"


def desk(rates: RateTable | None = None, spread_bps: int = 150) -> FxDesk:
    return FxDesk(QuoteKey(FX_MEMBER, CHAIN_ID, FX_KEY), RateSource(rates) if rates else RateSource.demo(T0_MS),
                  spread_bps)


@dataclass
class Clock:
    now_ms: int = T0_MS

    def __call__(self) -> int:
        return self.now_ms


@dataclass
class Served:
    base_url: str
    desk: FxDesk
    clock: Clock

    def http(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=HTTP_TIMEOUT_S)


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    clock = Clock()
    the_desk = desk()
    server, _port = serve_in_thread(fx_app(the_desk, TOKENS, clock))
    try:
        yield Served(server.base_url, the_desk, clock)
    finally:
        server.stop()
