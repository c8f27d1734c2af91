"""A restart in the middle of a payout: the new service takes the transfer up from the chain and remit.db,
asks the operator again under the same reference id, and the wallet is paid exactly once. A reservation the
ledger took just before the service died, unrecorded in remit.db, is found in the chain and paid out at once,
even when its block is stored only while reconciliation looks for it and the service's clock is past its
deadline."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from inzira.api.app import create_app
from inzira.api.server import ServedApp, serve_in_thread
from inzira.demo.providers import Providers
from inzira.demo.seed import seed
from inzira.demo.setup import create_demo_network, demo_keyring, load_api_keys
from inzira.directory.api import mount_directory
from inzira.directory.operator import DirectoryOperator
from inzira.directory.settings import DirectorySettings
from inzira.ledger.codes import Code
from inzira.ledger.tx import decode_body, decode_signed, tx_id_of
from inzira.node.embedded import Embedded
from inzira.node.store import TxLocation
from inzira.remit.api import mount_remit
from inzira.remit.client import RemitClient
from inzira.remit.reconcile import RESUME_AFTER_MS
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import Behaviour, MomoSimConfig, RunningMomoSim, serve
from tests.network.helpers import wait_until
from tests.remit_flow.conftest import FLOAT_MINOR, Clock, now_ms

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


@contextlib.contextmanager
def _wallet_at_mobimo() -> Iterator[tuple[RunningMomoSim, RemitSettings]]:
    """MobiMo's simulator holding NUMBER's wallet, and the service's settings paying out there."""
    with serve(MomoSimConfig(float_minor=FLOAT_MINOR)) as sim:
        sim.admin.create_wallet(NUMBER[1:], "Grace", "Uwimana")
        yield sim, RemitSettings(payout_adapters={"mobimo": sim.adapter_config()}, reconcile_interval_ms=200)


def _transfer_after_restart(net: Embedded, data_dir: Path, settings: RemitSettings, token: str, transfer_id: str,
                            wait_ms: int = int(WAIT_S * 1000), clock_ms: Callable[[], int] = now_ms) -> dict[str, Any]:
    """The transfer as a service started anew answers for it, once final (or after ``wait_ms``)."""
    with running(net, data_dir, settings, clock_ms) as (_service, served):
        with RemitClient(served.base_url, token) as client:
            return client.transfer(transfer_id, wait_ms=wait_ms)


def test_restart_during_payout_pays_once_and_commits(tmp_path: Path) -> None:
    create_demo_network(tmp_path, now_ms() - 1_000)
    with Embedded(tmp_path, block_interval_ms=10) as net, _wallet_at_mobimo() as (sim, settings):
        seed(net, demo_keyring(tmp_path))
        sim.admin.set_behaviour(Behaviour(latency_ms=PAYOUT_LATENCY_MS))
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
        final = _transfer_after_restart(net, tmp_path, settings, token, transfer_id)
        assert final["state"] == "COMMITTED", final
        wallet = sim.admin.wallet(NUMBER[1:])
        assert wallet is not None and wallet.balance_minor == final["amount_received"]["amount_minor"]
        assert len(sim.admin.history(NUMBER[1:])) == 1  # paid once
        net.node.state.check_invariants()


def test_a_payout_asked_before_a_restart_is_asked_about_not_declined_as_too_late(tmp_path: Path) -> None:
    """The service stopped while the operator was paying and starts again with less than payout_window_min_ms
    left before the payout's deadline (a slow restart: here, a window as long as the transfer). The operator
    was asked before the stop and paid the wallet: the new service asks it and commits. Before: the payout,
    still NEW in remit.db, was declined as too late to start (FAILED, voided), the wallet paid and the money
    back with the sender."""
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
                client.send(transfer_id, quote["quote_id"], "cust-r", "Marie Dupont", "Grace Uwimana")
                wait_until("the payout started", lambda: "PAYOUT_STARTED" in [
                    s["step"] for s in client.transfer(transfer_id)["timeline"]], timeout_s=WAIT_S, every_s=0.05)
        wait_until("the operator to pay the wallet", lambda: sim.admin.history(NUMBER[1:]), timeout_s=WAIT_S,
                   every_s=0.05)
        late = dataclasses.replace(settings, payout_window_min_ms=settings.transfer_ttl_ms)
        with running(net, tmp_path, late) as (_service, served):
            with RemitClient(served.base_url, token) as client:
                final = client.transfer(transfer_id, wait_ms=int(WAIT_S * 1000))
        assert final["state"] == "COMMITTED", final
        assert final["payout"]["status"] == "SUCCESSFUL", final
        wallet = sim.admin.wallet(NUMBER[1:])
        assert wallet is not None and wallet.balance_minor == final["amount_received"]["amount_minor"]
        assert len(sim.admin.history(NUMBER[1:])) == 1
        net.node.state.check_invariants()


@dataclass(frozen=True)
class NeverSent:
    """A transfer stored RECEIVED whose reservation the ledger never took (its orderer stopped first)."""

    sim: RunningMomoSim
    settings: RemitSettings
    token: str
    transfer_id: str
    raw: bytes  # the reservation's signed bytes
    received_at_ms: int  # when the transfer was stored

    @property
    def body(self) -> bytes:
        return decode_signed(self.raw).body


@contextlib.contextmanager
def _received_never_sent(tmp_path: Path) -> Iterator[NeverSent]:
    """A new demo network in ``tmp_path`` and MobiMo's simulator, with a transfer left as NeverSent says."""
    create_demo_network(tmp_path, now_ms() - 1_000)
    transfer_id = str(uuid.uuid4())
    token = load_api_keys(tmp_path)["eurosend"]
    with _wallet_at_mobimo() as (sim, settings):
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
        yield NeverSent(sim, settings, token, transfer_id, raw, view["updated_at_ms"])


def test_a_reservation_found_in_the_chain_is_paid_out_at_once(tmp_path: Path) -> None:
    """The service died after the ledger took its reservation and before remit.db recorded the verdict (the
    crash test's SIGKILL lands there sometimes). Reconciliation finds the reservation in the chain and pays
    out at once, not RESUME_AFTER_MS later, out of the transfer's 30 s. The restarted service's clock is set
    back a little (as an NTP step would), so that a regular pass finds it rather than the one at start, which
    takes everything up anyway: the old code left such a transfer unpaid for RESUME_AFTER_MS."""
    with _received_never_sent(tmp_path) as unsent:
        with Embedded(tmp_path, block_interval_ms=10) as net:
            assert net.submit(unsent.raw).result(WAIT_S).code == 0  # what the ledger took before the service died
            set_back_ms = now_ms() - unsent.received_at_ms + CLOCK_SET_BACK_MS
            final = _transfer_after_restart(net, tmp_path, unsent.settings, unsent.token, unsent.transfer_id,
                                            RESUME_AFTER_MS - 1_000, lambda: now_ms() - set_back_ms)
            assert final["state"] == "COMMITTED", final
            net.node.state.check_invariants()
        assert len(unsent.sim.admin.history(NUMBER[1:])) == 1


def test_a_reservation_stored_while_reconciliation_looks_it_up_is_not_aborted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's clock is past the reservation's deadline, the chain's stored time is not (a cutter's clock
    lags, or this peer is still catching up). Reconciliation at start looks the reservation up (not in a block),
    and the block holding it is stored meanwhile. Before: the service's clock made the miss final, and the
    transfer was ABORTED while the customer's money was reserved for the payee."""
    with _received_never_sent(tmp_path) as unsent:
        tx_id, expires_at_ms = tx_id_of(unsent.body), decode_body(unsent.body).expires_at_ms
        clock = Clock(expires_at_ms + 60_000 - now_ms())
        with Embedded(tmp_path, block_interval_ms=10) as net:
            real_locate = net.node.locate

            def racing(tx_ids: Sequence[bytes]) -> dict[bytes, TxLocation]:
                found = real_locate(tx_ids)
                if tx_id in tx_ids and threading.current_thread().name == "remit-service":
                    monkeypatch.setattr(net.node, "locate", real_locate)  # once
                    assert net.submit(unsent.raw).result(WAIT_S).code == Code.OK  # its block, stored now
                    assert net.node.tip.timestamp_ms < expires_at_ms
                    clock.offset_ms = 0  # the rest of the run on the wall clock
                return found

            monkeypatch.setattr(net.node, "locate", racing)
            final = _transfer_after_restart(net, tmp_path, unsent.settings, unsent.token, unsent.transfer_id,
                                            clock_ms=clock)
            assert clock.offset_ms == 0  # the reconciliation did look it up
            assert final["state"] == "COMMITTED", final
            net.node.state.check_invariants()
        assert len(unsent.sim.admin.history(NUMBER[1:])) == 1


def test_a_reservation_never_taken_is_aborted_once_the_chains_time_passes_its_deadline(tmp_path: Path) -> None:
    """Only the stored chain's time ends a reservation the ledger never took; a quiet network still gets there:
    the bytes sent again make a block, whose time (here the orderer's clock, past the deadline) expires them."""
    with _received_never_sent(tmp_path) as unsent:
        ahead_ms = decode_body(unsent.body).expires_at_ms - now_ms() + 1_000
        with Embedded(tmp_path, block_interval_ms=10) as net:
            net.orderer.clock_ms = lambda: now_ms() + ahead_ms
            final = _transfer_after_restart(net, tmp_path, unsent.settings, unsent.token, unsent.transfer_id)
            assert (final["state"], final["code"]) == ("ABORTED", Code.EXPIRED), final
            assert net.node.locate([tx_id_of(unsent.body)]) == {}
        assert unsent.sim.admin.history(NUMBER[1:]) == []
