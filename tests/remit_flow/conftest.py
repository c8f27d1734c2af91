"""One real network for the remittance flow tests: the demo members in a temporary folder, seeded, two
mobile-money simulators (MobiMo, Ubumwe), the directory operator, the remittance service (the FSPs' ports
only), the FX provider's quote service and the issuers' funding desk, and the HTTP API on 127.0.0.1.

Shared by the module's tests (starting it costs seconds); each test uses fresh wallets and numbers, and
the few that turn a knob (the simulator's behaviour, the service's clock) turn it back.
"""

from __future__ import annotations

import contextlib
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.server import ServedApp, serve_in_thread
from inzira.demo.providers import Providers
from inzira.demo.seed import seed
from inzira.demo.setup import create_demo_network, demo_keyring, load_api_keys
from inzira.directory.api import mount_directory
from inzira.directory.operator import DirectoryOperator
from inzira.directory.settings import DirectorySettings
from inzira.node.embedded import Embedded
from inzira.remit.api import mount_remit
from inzira.remit.client import RemitClient
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import MomoSimConfig, RunningMomoSim, serve

HTTP_TIMEOUT_S = 30.0
# The tests' webhook receiver listens on 127.0.0.1, which the operator allow-lists; every other loopback,
# private, link-local or metadata address stays refused.
RECEIVER_NETWORK = "127.0.0.1/32"
FLOAT_MINOR = 10**12


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Clock:
    """The service's clock: the wall clock, plus an offset a test may set (to age a quote)."""

    offset_ms: int = 0

    def __call__(self) -> int:
        return now_ms() + self.offset_ms


@dataclass
class Flow:
    data_dir: Path
    net: Embedded
    service: RemitService
    served: ServedApp
    sims: dict[str, RunningMomoSim]
    tokens: dict[str, str]
    operator: DirectoryOperator
    clock: Clock
    providers: Providers
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    @property
    def base_url(self) -> str:
        return self.served.base_url

    def client(self, member: str) -> RemitClient:
        return RemitClient(self.base_url, self.tokens[member], timeout_s=HTTP_TIMEOUT_S)

    def http(self, member: str | None = None, token: str | None = None) -> httpx.Client:
        bearer = token or (self.tokens[member] if member else None)
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=HTTP_TIMEOUT_S)

    def wallet(self, fsp: str = "mobimo", given: str = "Jeanne", family: str = "Uwase") -> str:
        """A new wallet at the FSP's operator, listed in the directory through the API; its E.164 number."""
        number = f"+25078{self.rng.randrange(10**7):07d}"
        self.sims[fsp].admin.create_wallet(number[1:], given, family)
        with self.http(fsp) as http:
            response = http.post("/v1/remit/directory", json={"msisdn": number})
            assert response.status_code == 200, response.text
        return number

    def balance(self, account: str) -> int:
        found = self.net.node.account(account)
        assert found is not None, account
        return found.balance_minor

    def balances(self, *accounts: str) -> dict[str, int]:
        return {a: self.balance(a) for a in accounts}

    def officer(self, issuer: str, n: int = 1) -> httpx.Client:
        """An HTTP client holding the token of one of the issuer's funding officers."""
        return self.http(token=self.providers.officer_token(issuer, n))

    def approve(self, request_id: str, issuer: str = "sbk") -> dict:
        """The issuer's officers approve a funding request (as many as it needs)."""
        view: dict = {}
        for n in (1, 2):
            with self.officer(issuer, n) as http:
                response = http.post(f"/funding/v1/requests/{request_id}/approve", json={"note": "funds arrived"})
                assert response.status_code == 200, response.text
                view = response.json()
            if view["state"] != "pending":
                break
        return view

    def deposit(self, member: str, account: str, amount_minor: int) -> dict:
        """The member files a funding request through the remittance API; the issuer's officers approve it."""
        with self.http(member) as http:
            filed = http.post("/v1/remit/liquidity/deposits", json={
                "account": account, "amount_minor": amount_minor, "settlement_reference": f"t-{uuid.uuid4().hex}"})
        assert filed.status_code == 202, filed.text
        assert filed.json()["state"] == "pending"
        return self.approve(filed.json()["id"], self._issuer(account))

    def withdraw(self, member: str, account: str, amount_minor: int) -> dict:
        """The member signs and files a redemption; the issuer's officers approve (the issuer countersigns)."""
        with self.http(member) as http:
            filed = http.post("/v1/remit/liquidity/withdrawals",
                              json={"account": account, "amount_minor": amount_minor})
        assert filed.status_code == 202, filed.text
        return self.approve(filed.json()["id"], self._issuer(account))

    def _issuer(self, account: str) -> str:
        found = self.net.node.account(account)
        assert found is not None, account
        return self.net.node.genesis.issuers()[found.currency]


@pytest.fixture(scope="package")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flow]:
    data_dir = tmp_path_factory.mktemp("remit")
    create_demo_network(data_dir, now_ms() - 1_000)
    clock = Clock()
    with contextlib.ExitStack() as stack:
        net = Embedded(data_dir, block_interval_ms=10)
        net.start()
        stack.callback(net.stop)
        keys = demo_keyring(data_dir)
        seed(net, keys)
        providers = Providers(net, keys, data_dir)
        stack.callback(providers.close)
        fsps = ["eurosend", "mobimo", "silkpay", "ubumwe"]
        sims = {fsp: stack.enter_context(serve(MomoSimConfig(float_minor=FLOAT_MINOR))) for fsp in ("mobimo", "ubumwe")}
        adapters = {fsp: sim.adapter_config() for fsp, sim in sims.items()}
        settings = RemitSettings(payout_adapters=adapters, reconcile_interval_ms=200, alert_check_interval_ms=0,
                                 events_heartbeat_ms=200, webhook_allowed_networks=(RECEIVER_NETWORK,))
        tokens = load_api_keys(data_dir)
        operator = DirectoryOperator(keys.port(net, "cbr"), tmp_path_factory.mktemp("directory-operator"),
                                     DirectorySettings(account_holder_apis=adapters),
                                     {token: member for member, token in tokens.items()})
        stack.callback(operator.close)
        service = RemitService(net, keys.ports(net, fsps), data_dir, settings, clock_ms=clock,
                               fx=providers.fx_client(fsps), funding=providers.funding_client(fsps))
        service.start()
        stack.callback(service.stop)
        app = create_app(net, routers=providers.routers())
        mount_remit(app, service)
        mount_directory(app, operator)
        served, _port = serve_in_thread(app)
        stack.callback(served.stop)
        providers.connect(served.base_url)
        service.directory.connect(served.base_url, tokens)
        service.connect_payout_callbacks(served.base_url)
        yield Flow(data_dir, net, service, served, sims, tokens, operator, clock, providers)
