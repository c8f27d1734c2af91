"""A restart in the middle of a payout: the new service takes the transfer up from the chain and remit.db,
asks the operator again under the same reference id, and the wallet is paid exactly once. A reservation the
ledger took just before the service died, unrecorded in remit.db, is found in the chain and paid out at once."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

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
from inzira.remit.reconcile import RESUME_AFTER_MS
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import Behaviour, MomoSimConfig, serve
from tests.remit_flow.conftest import FLOAT_MINOR, now_ms

PAYOUT_LATENCY_MS = 1_500
WAIT_S = 15.0
NUMBER = "+250788765432"
CLOCK_SET_BACK_MS = 2_000  # more than the service takes to start: its first pass does not see the transfer yet


@contextlib.contextmanager
def running(net: Embedded, data_dir: Path, settings: RemitSettings,
            clock_ms: Callable[[], int] = now_ms) -> Iterator[tuple[RemitService, ServedApp]]:
    keys = demo_keyring(data_dir)
    providers = Providers(net, keys, data_dir)
    fsps = ["eurosend", "mobimo"]
    service = RemitService(net, keys.ports(net, fsps), data_dir, settings, clock_ms, fx=providers.fx_client(fsps),
                           funding=providers.funding_client(fsps))
    tokens = load_api_keys(data_dir)
    operator = DirectoryOperator(keys.port(net, "cbr"), data_dir / "directory-operator",
                                 DirectorySettings(account_holder_apis=settings.payout_adapters),
                                 {token: member for member, token in tokens.items()})
    service.start()
    try:
        app = create_app(net, routers=providers.routers())
        mount_remit(app, service)
        mount_directory(app, operator)
        served, _port = serve_in_thread(app)
        providers.connect(served.base_url)
        service.directory.connect(served.base_url, tokens)
        try:
            yield service, served
        finally:
            served.stop()
    finally:
        service.stop()
        providers.close()
        operator.close()


def test_restart_during_payout_pays_once_and_commits(tmp_path: Path) -> None:
    create_demo_network(tmp_path, now_ms() - 1_000)
    with Embedded(tmp_path, block_interval_ms=10) as net, serve(MomoSimConfig(float_minor=FLOAT_MINOR)) as sim:
        seed(net, demo_keyring(tmp_path))
        sim.admin.create_wallet(NUMBER[1:], "Grace", "Uwimana")
        sim.admin.set_behaviour(Behaviour(latency_ms=PAYOUT_LATENCY_MS))
        settings = RemitSettings(payout_adapters={"mobimo": sim.adapter_config()}, reconcile_interval_ms=200)
        token = load_api_keys(tmp_path)["eurosend"]
        transfer_id = str(uuid.uuid4())
        with running(net, tmp_path, settings) as (service, served):
            service.submit(service.register_number("mobimo", NUMBER)).result(WAIT_S)
            with RemitClient(served.base_url, token) as client:
                quote = client.quote(NUMBER, "SEND", 10_000, "EUR")
                view = client.send(transfer_id, quote["quote_id"], "cust-r", "Marie Dupont", "Grace Uwimana")
                deadline = time.monotonic() + WAIT_S
                while "PAYOUT_STARTED" not in [s["step"] for s in view["timeline"]]:
                    assert time.monotonic() < deadline, view
                    time.sleep(0.05)
                    view = client.transfer(transfer_id)
                assert view["state"] == "RESERVED"
        # The service stopped while the operator was still paying.
        with running(net, tmp_path, settings) as (_service, served):
            with RemitClient(served.base_url, token) as client:
                final = client.transfer(transfer_id, wait_ms=int(WAIT_S * 1000))
        assert final["state"] == "COMMITTED", final
        wallet = sim.admin.wallet(NUMBER[1:])
        assert wallet is not None and wallet.balance_minor == final["amount_received"]["amount_minor"]
        assert len(sim.admin.history(NUMBER[1:])) == 1  # paid once
        net.node.state.check_invariants()


def test_a_reservation_found_in_the_chain_is_paid_out_at_once(tmp_path: Path) -> None:
    """The service died after the ledger took its reservation and before remit.db recorded the verdict (the
    crash test's SIGKILL lands there sometimes). Reconciliation finds the reservation in the chain and pays
    out at once, not RESUME_AFTER_MS later, out of the transfer's 30 s. The restarted service's clock is set
    back a little (as an NTP step would), so that a regular pass finds it rather than the one at start, which
    takes everything up anyway: the old code left such a transfer unpaid for RESUME_AFTER_MS."""
    create_demo_network(tmp_path, now_ms() - 1_000)
    transfer_id = str(uuid.uuid4())
    token = load_api_keys(tmp_path)["eurosend"]
    with serve(MomoSimConfig(float_minor=FLOAT_MINOR)) as sim:
        sim.admin.create_wallet(NUMBER[1:], "Grace", "Uwimana")
        settings = RemitSettings(payout_adapters={"mobimo": sim.adapter_config()}, reconcile_interval_ms=200)
        with Embedded(tmp_path, block_interval_ms=10) as net:
            seed(net, demo_keyring(tmp_path))
            with running(net, tmp_path, settings) as (service, served):
                service.submit(service.register_number("mobimo", NUMBER)).result(WAIT_S)
                with RemitClient(served.base_url, token) as client:
                    quote = client.quote(NUMBER, "SEND", 10_000, "EUR")
                    net.orderer.stop()  # the ledger takes nothing more from this run
                    view = client.send(transfer_id, quote["quote_id"], "cust-r", "Marie Dupont", "Grace Uwimana")
                assert view["state"] == "RECEIVED"
                raw = service.transfers.reserve_tx(transfer_id)
        assert raw is not None
        with Embedded(tmp_path, block_interval_ms=10) as net:
            assert net.submit(raw).result(WAIT_S).code == 0  # what the ledger took before the service died
            set_back_ms = now_ms() - view["updated_at_ms"] + CLOCK_SET_BACK_MS
            with running(net, tmp_path, settings, lambda: now_ms() - set_back_ms) as (_service, served):
                with RemitClient(served.base_url, token) as client:
                    final = client.transfer(transfer_id, wait_ms=RESUME_AFTER_MS - 1_000)
            assert final["state"] == "COMMITTED", final
            net.node.state.check_invariants()
        assert len(sim.admin.history(NUMBER[1:])) == 1
