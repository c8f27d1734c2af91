"""One real network for the directory tests: the demo members in a temporary folder, seeded, two
mobile-money simulators (MobiMo, Ubumwe) whose account-holder APIs the operator checks, the directory operator
(the central bank, its folder apart from everyone else's), the remittance service, and the HTTP API on
127.0.0.1. SilkPay declared a tiny volume, so its look-up allowance runs out within a test.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.server import ServedApp, serve_in_thread
from inzira.crypto import KeyPair
from inzira.demo.seed import seed
from inzira.demo.providers import Providers
from inzira.demo.setup import create_demo_network, demo_keyring, load_api_keys
from inzira.directory.api import mount_directory
from inzira.directory.operator import DirectoryOperator
from inzira.directory.settings import DirectorySettings
from inzira.directory.wire import RegistrationRequest, request_body, request_digest
from tests.hosted import Hosted, member_keys
from inzira.remit.api import mount_remit
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import MomoSimConfig, RunningMomoSim, serve

HTTP_TIMEOUT_S = 30.0
SMALL_BURST = 5  # SilkPay's look-ups before it must wait
DECLARED = {"eurosend": 50_000, "silkpay": 1}


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass
class Directory:
    data_dir: Path  # the members' folder: keys, tokens, remit.db; never the operator's
    operator_dir: Path
    net: Hosted
    operator: DirectoryOperator
    service: RemitService
    served: ServedApp
    sims: dict[str, RunningMomoSim]
    tokens: dict[str, str]
    keys: dict[str, KeyPair]
    sims_dir: Path  # each simulator's books, <fsp>.db
    rng: random.Random = field(default_factory=lambda: random.Random(11))

    def http(self, member: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"} if member else {}
        return httpx.Client(base_url=self.served.base_url, headers=headers, timeout=HTTP_TIMEOUT_S)

    def number(self) -> str:
        return f"+25078{self.rng.randrange(10**7):07d}"

    def wallet(self, fsp: str, number: str | None = None) -> str:
        """A wallet at the FSP's simulator (not listed yet); its E.164 number."""
        number = number or self.number()
        self.sims[fsp].admin.create_wallet(number[1:], "Jeanne", "Uwase")
        return number

    def request(self, member: str, msisdn: str, active: bool = True, *, signer: str | None = None,
                signed_at_ms: int | None = None, request_id: str | None = None,
                chain_id: bytes | None = None) -> dict[str, Any]:
        """A registration request body, signed with ``signer``'s key (the member's own by default)."""
        request = RegistrationRequest(chain_id or self.net.chain_id, member, msisdn, active,
                                      request_id or f"req-{self.rng.randrange(10**12)}",
                                      now_ms() if signed_at_ms is None else signed_at_ms)
        return request_body(request, self.keys[signer or member].sign(request_digest(request)))

    def listed(self, msisdn: str) -> str | None:
        return self.net.node.state.parties.get(self.operator.party_hash(msisdn))  # type: ignore[arg-type]


@pytest.fixture(scope="package")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    data_dir = tmp_path_factory.mktemp("members")
    operator_dir = tmp_path_factory.mktemp("operator") / "directory-operator"
    sims_dir = tmp_path_factory.mktemp("sims")
    create_demo_network(data_dir, now_ms() - 1_000)
    with contextlib.ExitStack() as stack:
        net = Hosted(data_dir, block_interval_ms=10)
        net.start()
        stack.callback(net.stop)
        keys = demo_keyring(data_dir)
        seed(net, keys)
        providers = Providers(net, keys, data_dir)
        stack.callback(providers.close)
        # On files, so a test can make an FSP's account-holder API answer what its admin API refuses to create.
        sims = {fsp: stack.enter_context(serve(MomoSimConfig(float_minor=10**12, db_path=str(sims_dir / f"{fsp}.db"))))
                for fsp in ("mobimo", "ubumwe")}
        adapters = {fsp: sim.adapter_config() for fsp, sim in sims.items()}
        tokens = load_api_keys(data_dir)
        settings = DirectorySettings(account_holder_apis=adapters, declared_daily_transfers=DECLARED,
                                     burst_min=SMALL_BURST)
        operator = DirectoryOperator(keys.port(net, "cbr"), operator_dir, settings,
                                     {t: m for m, t in tokens.items()})
        stack.callback(operator.close)
        fsps = ["eurosend", "mobimo", "silkpay", "ubumwe"]
        service = RemitService(net, keys.ports(net, fsps), data_dir,
                               RemitSettings(payout_adapters=adapters, reconcile_interval_ms=200),
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
        yield Directory(data_dir, operator_dir, net, operator, service, served, sims, tokens,
                        member_keys(data_dir), sims_dir)
