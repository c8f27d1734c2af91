"""Remittances to wallets outside Inzira, through eKash: the Testing Toolkit plays the hub and the payee FSP.

A real network (the demo members), the remittance service and its HTTP API; Ubumwe is the eKash gateway
here (its payout adapter is the Mojaloop route, and numbers the directory does not list fall back to it).
The Inzira leg is hashlocked with the eKash quote's condition: the fulfilment eKash returns posts it; a
refusal, an abort or a late fulfilment voids it, and no money stays reserved.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.demo.providers import Providers
from inzira.demo.seed import seed
from inzira.demo.setup import create_demo_network, demo_keyring, load_api_keys
from inzira.directory.api import mount_directory
from inzira.directory.operator import DirectoryOperator
from inzira.directory.settings import DirectorySettings
from inzira.http import HttpProblem
from inzira.interop.mojaloop import ilp
from inzira.interop.mojaloop.ekash_route import EkashRoute
from inzira.interop.mojaloop.gateway import Gateway, GatewaySettings
from inzira.interop.mojaloop.payee import PayeeSettings
from inzira.interop.mojaloop.schemas import definitions
from inzira.interop.mojaloop.server import fspiop_router, schema_check
from inzira.ledger.records import PENDING
from inzira.node.embedded import Embedded
from inzira.node.signer import wall_clock_ms
from inzira.remit.api import mount_remit
from inzira.remit.client import RemitClient
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import MomoSimConfig, serve
from tests.mojaloop import hub_rules
from tests.mojaloop.payer_app import NoMoves, NobodyServed
from tests.mojaloop.ttk import TestingToolkit

GATEWAY = "ubumwe"
KNOWN = "+" + hub_rules.KNOWN
FEE = int(hub_rules.FEE)
WAIT_MS = 20_000
UBUMWE_FEE = 500  # Ubumwe's own receiving fee on 4,000-ish RWF: 500 RWF + 0.25 % (rounded down to 10)


@dataclass
class World:
    net: Embedded
    service: RemitService
    base_url: str
    tokens: dict[str, str]

    def client(self) -> RemitClient:
        return RemitClient(self.base_url, self.tokens["eurosend"], timeout_s=60.0)

    def balance(self, account: str) -> int:
        found = self.net.node.account(account)
        assert found is not None, account
        return found.balance_minor

    @property
    def route(self) -> EkashRoute:
        adapter = self.service.agents[GATEWAY].adapter
        assert isinstance(adapter, EkashRoute)
        return adapter


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture(scope="module")
def world(ttk_hub: TestingToolkit, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("remit-ekash")
    create_demo_network(data_dir, _now_ms() - 1_000)
    with contextlib.ExitStack() as stack:
        net = Embedded(data_dir, block_interval_ms=10)
        net.start()
        stack.callback(net.stop)
        keys = demo_keyring(data_dir)
        seed(net, keys)
        providers = Providers(net, keys, data_dir)
        stack.callback(providers.close)
        fsps = ["eurosend", "mobimo", "silkpay", GATEWAY]
        mobimo = stack.enter_context(serve(MomoSimConfig(float_minor=10**12)))
        ekash = {"kind": "mojaloop", "fsp_id": "inzira", "hub_url": ttk_hub.fspiop_url,
                 "state_file": str(Path(data_dir) / "ekash.db"), "clock_skew_ms": 500, "window_min_ms": 500}
        settings = RemitSettings(payout_adapters={"mobimo": mobimo.adapter_config(), GATEWAY: ekash},
                                 fallback_fsp=GATEWAY, reconcile_interval_ms=200, alert_check_interval_ms=0)
        tokens = load_api_keys(data_dir)
        operator = DirectoryOperator(keys.port(net, "cbr"), tmp_path_factory.mktemp("directory-operator"),
                                     DirectorySettings(account_holder_apis={"mobimo": mobimo.adapter_config()}),
                                     {token: member for member, token in tokens.items()})
        stack.callback(operator.close)
        service = RemitService(net, keys.ports(net, fsps), data_dir, settings,
                               fx=providers.fx_client(fsps), funding=providers.funding_client(fsps))
        service.start()
        stack.callback(service.stop)
        app = create_app(net, routers=providers.routers())
        mount_remit(app, service)
        mount_directory(app, operator)
        adapter = service.agents[GATEWAY].adapter
        assert isinstance(adapter, EkashRoute)
        # The gateway's FSPIOP server, its callbacks to the payer side going to the eKash route.
        gateway = Gateway(GatewaySettings(hub_url=ttk_hub.fspiop_url, payee=PayeeSettings(fsp_id="inzira")),
                          Path(tmp_path_factory.mktemp("gateway")), NobodyServed(), NoMoves(), wall_clock_ms).start()
        stack.callback(gateway.stop)
        app.include_router(fspiop_router(gateway, payer=adapter.payer, check_body=schema_check(definitions())))
        served, _port = serve_in_thread(app)
        stack.callback(served.stop)
        providers.connect(served.base_url)
        service.directory.connect(served.base_url, tokens)
        ttk_hub.configure(CALLBACK_ENDPOINT=f"{served.base_url}/fspiop")
        yield World(net, service, served.base_url, tokens)


def _send(world: World, quote_id: str, expires_in_ms: int | None = None) -> tuple[str, dict]:
    """Send on a quote: the transfer id, and its view (or the problem body of a failed transfer)."""
    extra = {"expires_in_ms": expires_in_ms} if expires_in_ms else {}
    transfer_id = str(uuid.uuid4())
    with world.client() as client:
        try:
            return transfer_id, client.send(transfer_id, quote_id, f"cust-{uuid.uuid4().hex[:8]}", "Marie Dupont",
                                            "Jeanne Uwase", wait_ms=WAIT_MS, **extra)
        except HttpProblem as exc:
            return transfer_id, exc.body


def _final(world: World, transfer_id: str) -> dict:
    with world.client() as client:
        deadline = time.monotonic() + WAIT_MS / 1000
        view = client.transfer(transfer_id)
        while view["state"] not in ("COMMITTED", "ABORTED", "EXPIRED", "FAILED") and time.monotonic() < deadline:
            view = client.transfer(transfer_id, wait_ms=2_000)
        return view


def _no_reservation_left(world: World, view: dict) -> None:
    pending = world.net.node.pending(bytes.fromhex(view["pending_id"]))
    assert pending is not None and pending.status != PENDING


def test_a_remittance_to_a_number_only_ekash_knows_completes(world: World) -> None:
    before = {a: world.balance(a) for a in (f"{GATEWAY}:rwf", f"{GATEWAY}:fees-rwf")}
    with world.client() as client:
        party = client.lookup(KNOWN)
        assert (party["fsp_id"], party["masked_name"]) == (GATEWAY, "J***** U****")
        quote = client.quote(KNOWN, "RECEIVE", 10_000, "RWF", "EUR")
    assert quote["amount_received"]["amount_minor"] == 10_000
    route_condition = world.route.condition(quote["quote_id"])
    assert route_condition is not None and quote["condition"] == ilp.encode_condition(route_condition)
    fee = quote["receiving_fee"]["amount_minor"]
    assert fee >= FEE
    _transfer_id, view = _send(world, quote["quote_id"])
    assert view["state"] == "COMMITTED", view
    steps = [s["step"] for s in view["timeline"]]
    assert steps == ["RECEIVED", "RESERVED", "PAYOUT_STARTED", "PAYOUT_SUCCESSFUL", "COMMITTED"]
    fulfilment = world.route.fulfilment(quote["quote_id"])
    assert fulfilment is not None and ilp.condition_of(fulfilment) == route_condition
    after = {a: world.balance(a) for a in before}
    assert after[f"{GATEWAY}:rwf"] - before[f"{GATEWAY}:rwf"] == 10_000
    assert after[f"{GATEWAY}:fees-rwf"] - before[f"{GATEWAY}:fees-rwf"] == fee
    world.net.node.state.check_invariants()


def test_a_number_nobody_knows_is_not_found(world: World) -> None:
    with world.client() as client, pytest.raises(HttpProblem) as caught:
        client.lookup("+" + hub_rules.UNKNOWN)
    assert (caught.value.status, caught.value.code) == (404, 3204)


def test_a_quote_ekash_refuses_is_refused(world: World) -> None:
    with world.client() as client, pytest.raises(HttpProblem) as caught:
        client.quote(KNOWN, "RECEIVE", int(hub_rules.QUOTE_REFUSED), "RWF", "EUR")
    assert (caught.value.status, caught.value.code) == (422, 5101)


@pytest.mark.parametrize(("receive", "expires_in_ms", "reason"), [
    (int(hub_rules.TRANSFER_ABORTED) - FEE, None, "MOJALOOP_5105"),  # eKash aborts the transfer
    (int(hub_rules.LATE_FULFILMENT) - FEE, 8_000, "MOJALOOP_3303"),  # fulfilled after the eKash expiration
])
def test_an_ekash_failure_voids_the_inzira_leg(world: World, receive: int, expires_in_ms: int | None,
                                               reason: str) -> None:
    before = world.balance(f"{GATEWAY}:rwf")
    with world.client() as client:
        quote = client.quote(KNOWN, "RECEIVE", receive, "RWF", "EUR")
    transfer_id, _view = _send(world, quote["quote_id"], expires_in_ms)
    view = _final(world, transfer_id)
    assert view["state"] in ("ABORTED", "EXPIRED"), view
    assert reason in view["reason"], view["reason"]
    assert world.route.fulfilment(quote["quote_id"]) is None
    assert world.balance(f"{GATEWAY}:rwf") == before
    _no_reservation_left(world, view)
    world.net.node.state.check_invariants()
