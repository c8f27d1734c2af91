"""A receiving FSP that paid the wallet and was not paid: the operator confirmed the payout, the commit's verdict
never came back and the commit never landed, and the reservation expired (the money went back to the sender).
Its payout is flagged for reconciliation (a PAID_AFTER_ABORT reason, a RECONCILE step the receiving FSP sees), once,
whoever notices first: the block watcher, reconciliation after a restart, or the commit's own late verdict.
Before, the payout stayed SUCCESSFUL with no reason, and nothing flagged the receiving FSP's loss."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from inzira.api.server import ServedApp
from inzira.demo.seed import seed
from inzira.demo.setup import create_demo_network, demo_keyring, load_api_keys
from inzira.http import HttpProblem
from inzira.ledger.codes import Code
from inzira.ledger.records import EXPIRED, PENDING
from inzira.ledger.tx import PostPending, VoidPending, decode_body, decode_signed
from inzira.node.custody import Keyring
from inzira.node.embedded import Embedded
from inzira.ordering.outcome import Outcome, Ticket
from inzira.remit.client import RemitClient
from inzira.remit.records import PayoutRecord
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import Behaviour, MomoSimConfig, RunningMomoSim, serve
from tests.network.helpers import wait_until
from tests.remit_flow.conftest import FLOAT_MINOR, HTTP_TIMEOUT_S, Flow, now_ms
from tests.remit_flow.helpers import WAIT_MS, problem, send_body
from tests.remit_flow.inter_fsp import Pair, agree, pair, payee_service, reserve, serve_service  # noqa: F401
from tests.remit_flow.test_notifications import listening
from tests.remit_flow.test_restart import running

WAIT_S = 15.0
EXPIRES_IN_MS = 2_500  # room to pay the wallet, then the reservation expires while its commit is held
STOPPED_EXPIRES_IN_MS = 4_000  # room to pay the wallet and stop the service before the reservation expires
NUMBER = "+250788765433"
OPERATOR_LATE_MS = 4_000  # the operator pays after the payout's deadline (EXPIRES_IN_MS less the commit margin)
CHAIN_LAG_MS = 10_000
OPERATOR_PAYS_IN_MS = 1_500  # long enough to stop the service while the operator pays  # the chain's time stays short of the reservation's deadline until the operator has paid
EVENTS_MAX = 100  # a transfer's steps and more: the stream is read until its RECONCILE step


class HeldCommits:
    """The real ledger, every payout's commit (``PostPending``, reference "post:...") kept back with its ticket
    unanswered, until ``release``."""

    def __init__(self, net: Embedded, monkeypatch: pytest.MonkeyPatch) -> None:
        self.submit_real = net.submit
        self.held: list[tuple[bytes, Ticket]] = []
        self._lock = threading.Lock()
        monkeypatch.setattr(net, "submit", self.submit)

    def submit(self, raw: bytes) -> Ticket:
        body = decode_body(decode_signed(raw).body)
        if not (isinstance(body.op, PostPending) and body.ref.startswith("post:")):
            return self.submit_real(raw)
        ticket = Ticket()
        with self._lock:
            self.held.append((raw, ticket))
        return ticket

    def count(self) -> int:
        with self._lock:
            return len(self.held)

    def release(self) -> list[Outcome]:
        """The held commits reach the ledger now; their verdicts go to whoever still waits for them."""
        with self._lock:
            held, self.held = self.held, []
        outcomes = []
        for raw, ticket in held:
            outcome = self.submit_real(raw).result(WAIT_S)
            ticket.set_result(outcome)
            outcomes.append(outcome)
        return outcomes


def _expire(net: Embedded, keys: Keyring, pending_id: bytes) -> None:
    """Past its deadline, a block: the ledger expires the reservation there (the sender's own void of it, which
    the hashlock rule refuses anyway, is what makes that block while nothing of the receiving FSP runs)."""
    expires_at_ms = net.node.pending(pending_id).expires_at_ms  # type: ignore[union-attr]
    wait_until("the reservation's deadline", lambda: now_ms() > expires_at_ms, timeout_s=WAIT_S, every_s=0.05)
    outcome = keys.port(net, "eurosend").execute(VoidPending(pending_id), f"test:{uuid.uuid4().hex}")
    assert outcome.code == Code.TRANSFER_EXPIRED, outcome
    assert net.node.pending(pending_id).status == EXPIRED  # type: ignore[union-attr]


def _flagged(client: RemitClient, transfer_id: str, reason: str | None = None) -> dict | None:
    """The transfer's view once its payout has a reason (``reason`` itself when given); None before, also while
    the view has no payout yet."""
    view = client.transfer(transfer_id)
    got = (view.get("payout") or {}).get("reason")
    return view if got and (reason is None or got == reason) else None


def _reconcile_steps(view: dict) -> int:
    return [s["step"] for s in view["timeline"]].count("RECONCILE")


@dataclasses.dataclass
class OwnNetwork:
    """A demo network of the test's own, whose service it stops and starts, with a wallet at mobimo's operator."""

    net: Embedded
    sim: RunningMomoSim
    keys: Keyring
    token: str  # eurosend's
    settings: RemitSettings

    def send(self, service: RemitService, served: ServedApp, transfer_id: str, expires_in_ms: int) -> RemitClient:
        """A remittance to the wallet; the client is open for the caller (closed with the block of ``running``)."""
        service.submit(service.register_number("mobimo", NUMBER)).result(WAIT_S)
        client = RemitClient(served.base_url, self.token)
        quote = client.quote(NUMBER, "SEND", 10_000, "EUR")
        client.send(transfer_id, quote["quote_id"], "cust-r", "Marie Dupont", "Grace Uwimana",
                    expires_in_ms=expires_in_ms)
        return client


@contextlib.contextmanager
def own_network(tmp_path: Path, latency_ms: int = 0, **settings: int) -> Iterator[OwnNetwork]:
    create_demo_network(tmp_path, now_ms() - 1_000)
    with Embedded(tmp_path, block_interval_ms=10) as net, serve(MomoSimConfig(float_minor=FLOAT_MINOR)) as sim:
        keys = demo_keyring(tmp_path)
        seed(net, keys)
        sim.admin.create_wallet(NUMBER[1:], "Grace", "Uwimana")
        sim.admin.set_behaviour(Behaviour(latency_ms=latency_ms))
        yield OwnNetwork(net, sim, keys, load_api_keys(tmp_path)["eurosend"], RemitSettings(
            payout_adapters={"mobimo": sim.adapter_config()}, reconcile_interval_ms=200, **settings))


def test_a_payout_whose_commit_never_landed_is_flagged_once_when_the_reservation_expires(
        flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    number = flow.wallet()
    held = HeldCommits(flow.net, monkeypatch)
    with flow.http("eurosend") as http, flow.http("mobimo") as receiving, listening(flow, "mobimo") as events:
        quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                     "amount_minor": 20_000, "currency": "EUR"}).json()
        body = send_body(quote["quote_id"], expires_in_ms=EXPIRES_IN_MS)
        expired = problem(http.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS}), 422, 3303)
        assert held.count() == 1  # the commit was submitted, and neither answered nor taken
        transfer_id = body["transfer_id"]
        paid_minor = expired["transfer"]["amount_received"]["amount_minor"]
        assert flow.sims["mobimo"].admin.wallet(number[1:]).balance_minor == paid_minor  # type: ignore[union-attr]

        def flagged() -> dict | None:
            view = receiving.get(f"/v1/remit/transfers/{transfer_id}").json()
            return view if view["payout"]["reason"] else None

        seen = wait_until("the payout flagged", flagged, timeout_s=10)
        assert seen["state"] == "ABORTED" and seen["payout"]["status"] == "SUCCESSFUL"
        assert seen["payout"]["reason"] == "PAID_AFTER_ABORT_3303"
        assert _reconcile_steps(seen) == 1
        listed = receiving.get("/v1/remit/payouts/flagged", params={"reason": "PAID_AFTER_ABORT_3303", "limit": 200})
        assert [i["transfer_id"] for i in listed.json()["items"]].count(transfer_id) == 1  # the operations' list
        step = next(s for s in seen["timeline"] if s["step"] == "RECONCILE")
        assert step["code"] == Code.TRANSFER_EXPIRED and "flagged for reconciliation" in step["detail"]
        for _ in range(EVENTS_MAX):  # the receiving FSP's own event stream carries the step
            _kind, event = events.get(timeout=WAIT_S)
            if event["transfer_id"] == transfer_id and event["data"]["step"] == "RECONCILE":
                break
        else:
            raise AssertionError("no RECONCILE step in the receiving FSP's events")

        # The commit reaches the ledger only now, after the expiry: TRANSFER_EXPIRED, to the payout still waiting
        # for its verdict. The payout is flagged already: not a second time.
        assert [o.code for o in held.release()] == [Code.TRANSFER_EXPIRED]
        payout_flow = flow.service.agents["mobimo"].payout_flow
        pending_id = bytes.fromhex(seen["pending_id"])
        wait_until("the payout to hear its commit's verdict", lambda: pending_id not in payout_flow._active,
                   timeout_s=WAIT_S)
        final = receiving.get(f"/v1/remit/transfers/{transfer_id}").json()
        assert _reconcile_steps(final) == 1 and final["payout"] == seen["payout"]
        sender_view = http.get(f"/v1/remit/transfers/{transfer_id}").json()
        assert _reconcile_steps(sender_view) == 1


def test_a_paid_transfer_past_the_services_deadline_is_committed_by_the_expiry_tick_not_voided(
        flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's clock is past the reservation's deadline, the chain's time is not (a cutter's clock lags).
    Reconciliation's tick, the block meant to expire it, voided it: the money went back to the sender although
    the wallet was paid and the commit could still land. A paid one is committed by the tick instead."""
    number = flow.wallet()
    held = HeldCommits(flow.net, monkeypatch)
    with flow.http("eurosend") as http, flow.http("mobimo") as receiving:
        quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                     "amount_minor": 20_000, "currency": "EUR"}).json()
        body = send_body(quote["quote_id"], expires_in_ms=20_000)
        assert http.post("/v1/remit/transfers", json=body).status_code == 201
        wait_until("the commit submitted", lambda: held.count() == 1, timeout_s=WAIT_S)
        flow.clock.offset_ms = 30_000
        try:
            final = receiving.get(f"/v1/remit/transfers/{body['transfer_id']}",
                                  params={"wait_ms": WAIT_MS}).json()
        finally:
            flow.clock.offset_ms = 0
        assert final["state"] == "COMMITTED", final
        assert final["payout"]["status"] == "SUCCESSFUL" and final["payout"]["reason"] is None
        assert _reconcile_steps(final) == 0
        assert [o.code for o in held.release()] == [Code.ALREADY_RESOLVED]  # the payout's own commit, too late
        payout_flow = flow.service.agents["mobimo"].payout_flow
        pending_id = bytes.fromhex(final["pending_id"])
        wait_until("the payout to hear its commit's verdict", lambda: pending_id not in payout_flow._active,
                   timeout_s=WAIT_S)
        again = receiving.get(f"/v1/remit/transfers/{body['transfer_id']}").json()
        assert again["payout"] == final["payout"] and _reconcile_steps(again) == 0


def test_a_payout_left_uncommitted_at_a_stop_is_flagged_once_when_its_reservation_expired_meanwhile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service stopped while its commit waited for a verdict that never came; the reservation expired while
    it was stopped. Reconciliation at the next start finds it ended and flags the payout; the start after that does
    not flag it again."""
    transfer_id = str(uuid.uuid4())
    with own_network(tmp_path) as own:
        net, sim, keys, token, settings = own.net, own.sim, own.keys, own.token, own.settings
        held = HeldCommits(net, monkeypatch)
        with running(net, tmp_path, settings) as (service, served):
            own.send(service, served, transfer_id, STOPPED_EXPIRES_IN_MS).close()
            wait_until("the commit submitted", lambda: held.count() == 1, timeout_s=WAIT_S)
            pending_id = service.transfers.get(transfer_id).reserve_tx_id  # type: ignore[union-attr]
            assert service.payouts.get(pending_id).status == "SUCCESSFUL"  # type: ignore[union-attr]
        assert net.node.pending(pending_id).status == PENDING  # type: ignore[union-attr]
        _expire(net, keys, pending_id)  # the commit never lands
        for _run in range(2):
            with running(net, tmp_path, settings) as (_service, served):
                with RemitClient(served.base_url, token) as client:
                    final = client.transfer(transfer_id, wait_ms=WAIT_MS)
                    assert final["state"] == "ABORTED" and final["code"] == Code.TRANSFER_EXPIRED, final
                    seen = wait_until("the payout flagged", lambda: _flagged(client, transfer_id), timeout_s=10)
            assert seen["payout"]["reason"] == "PAID_AFTER_ABORT_3303"
            assert _reconcile_steps(seen) == 1
        assert len(sim.admin.history(NUMBER[1:])) == 1


def test_another_deployment_s_transfer_paid_but_never_committed_is_flagged_once(
        pair: Pair, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:  # noqa: F811
    """The receiving FSP serving another member's deployment (its quotes only, the transfer kept there): the same
    loss is flagged on its payout record, by the block watcher while it runs and by reconciliation after a
    restart, once."""
    flow = pair.flow
    held = HeldCommits(flow.net, monkeypatch)
    msisdn = flow.wallet("mobimo")
    with RemitClient(pair.sender_url, flow.tokens["eurosend"], timeout_s=HTTP_TIMEOUT_S) as client:
        quote = client.quote(msisdn, "SEND", 20_000, "EUR", sender_name="Marie Dupont",
                             receiver_name="Jeanne Uwase")
        with pytest.raises(HttpProblem) as expired:
            client.send(str(uuid.uuid4()), quote["quote_id"], "cust-p", "Marie Dupont", "Jeanne Uwase",
                        wait_ms=WAIT_MS, expires_in_ms=EXPIRES_IN_MS)
    assert expired.value.code == Code.TRANSFER_EXPIRED, expired.value.body
    sent = expired.value.body["transfer"]
    assert sent["state"] == "ABORTED" and held.count() == 1
    pending_id = bytes.fromhex(sent["pending_id"])
    payout = wait_until("the payout flagged", lambda: (p := pair.payee.payouts.get(pending_id)) and p.reason and p,
                        timeout_s=10)
    assert payout.status == "SUCCESSFUL" and payout.reason == "PAID_AFTER_ABORT_3303"
    assert [o.code for o in held.release()] == [Code.TRANSFER_EXPIRED]
    payout_flow = pair.payee.agents["mobimo"].payout_flow
    wait_until("the payout to hear its commit's verdict", lambda: pending_id not in payout_flow._active,
               timeout_s=WAIT_S)
    assert pair.payee.payouts.get(pending_id) == payout  # not flagged again

    # Stopped while its commit waits, the reservation expiring meanwhile: flagged at the next start.
    folder = tmp_path_factory.mktemp("mobimo-paid-unpaid")
    msisdn = flow.wallet("mobimo")
    with contextlib.ExitStack() as first_run:
        first = payee_service(pair, folder).start()
        first_run.callback(first.stop)
        quote = agree(dataclasses.replace(pair, payee_url=serve_service(first_run, flow, first, fsp=True)), msisdn)
        pending_id = reserve(pair, quote, 10_000, expires_in_ms=STOPPED_EXPIRES_IN_MS)
        wait_until("the commit submitted", lambda: held.count() == 1, timeout_s=WAIT_S)
        assert first.payouts.get(pending_id).status == "SUCCESSFUL"  # type: ignore[union-attr]
    assert flow.net.node.pending(pending_id).status == PENDING  # type: ignore[union-attr]
    _expire(flow.net, pair.keys, pending_id)
    flagged = []
    for _run in range(2):
        with payee_service(pair, folder) as restarted:
            flagged.append(wait_until("the payout flagged", lambda: (p := restarted.payouts.get(pending_id))
                                      and p.reason and p, timeout_s=10))
            wait_until("the reservation seen resolved", lambda: all(
                p != pending_id for _q, p in restarted.payee_quotes.open_reservations(10_000)), timeout_s=10)
    assert flagged[0].reason == "PAID_AFTER_ABORT_3303"
    assert flagged[1] == flagged[0]  # the second start flags nothing again



def test_reconciling_a_payout_its_own_run_committed_meanwhile_flags_nothing(flow: Flow) -> None:
    """Reconciliation read a payout UNKNOWN and asked the operator; meanwhile a run of that payout (scheduled in
    the same pass) heard SUCCESSFUL and committed. Before: reconciliation wrote its stale copy back with reason
    PAID_AFTER_ABORT and a RECONCILE step, for a wallet paid and a transfer COMMITTED: the FSP told to recover money
    it was paid for."""
    number = flow.wallet()
    with flow.http("eurosend") as http, flow.http("mobimo") as receiving:
        quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                     "amount_minor": 20_000, "currency": "EUR"}).json()
        body = send_body(quote["quote_id"])
        committed = http.post("/v1/remit/transfers", json=body, params={"wait_ms": WAIT_MS}).json()
        assert committed["state"] == "COMMITTED", committed
        pending_id = bytes.fromhex(committed["pending_id"])
        # The block watcher may mark the transfer COMMITTED before the payout's run records its commit tx.
        stored = wait_until("the payout's commit recorded", lambda: (p := flow.service.payouts.get(pending_id))
                            and p.resolve_tx_id and p, timeout_s=10)
        assert stored.status == "SUCCESSFUL"
        stale = msgspec.structs.replace(stored, status="UNKNOWN", resolve_tx_id=b"")  # as the pass read it, earlier
        payout_flow = flow.service.agents["mobimo"].payout_flow
        flow.service.submit(payout_flow.reconcile(stale, body["transfer_id"])).result(WAIT_S)
        assert flow.service.payouts.get(pending_id) == stored
        view = receiving.get(f"/v1/remit/transfers/{body['transfer_id']}").json()
        assert view["state"] == "COMMITTED" and view["payout"]["reason"] is None and _reconcile_steps(view) == 0


def test_a_payout_the_operator_has_not_answered_yet_is_not_voided_by_the_expiry_tick(
        flow: Flow, monkeypatch: pytest.MonkeyPatch) -> None:
    """The operator answers after the payout's deadline, and the chain's time lags the service's clock (a cutter
    whose clock is behind: here the orderer's). Reconciliation's tick, the transaction meant to make the block that
    expires the reservation, was the payee's void: the money went back to the sender, then the operator paid the
    wallet (flagged PAID_AFTER_ABORT). While the operator may still pay, the tick ends nothing the ledger has not
    ended: the payout it confirms later is committed, as the chain's time allows."""
    number = flow.wallet()
    sim = flow.sims["mobimo"]
    monkeypatch.setattr(flow.net.orderer, "clock_ms", lambda: now_ms() - CHAIN_LAG_MS)
    sim.admin.set_behaviour(Behaviour(latency_ms=OPERATOR_LATE_MS))
    try:
        with flow.http("eurosend") as http, flow.http("mobimo") as receiving:
            quote = http.post("/v1/remit/quotes", json={"receiver_msisdn": number, "amount_type": "SEND",
                                                         "amount_minor": 20_000, "currency": "EUR"}).json()
            body = send_body(quote["quote_id"], expires_in_ms=EXPIRES_IN_MS)
            assert http.post("/v1/remit/transfers", json=body).status_code == 201
            final = wait_until("the transfer final", lambda: (v := receiving.get(
                f"/v1/remit/transfers/{body['transfer_id']}").json())["final"] and v, timeout_s=WAIT_S)
    finally:
        sim.admin.set_behaviour(Behaviour())
    assert final["state"] == "COMMITTED", final
    assert final["payout"]["status"] == "SUCCESSFUL" and final["payout"]["reason"] is None
    assert _reconcile_steps(final) == 0
    paid_minor = final["amount_received"]["amount_minor"]
    assert sim.admin.wallet(number[1:]).balance_minor == paid_minor  # type: ignore[union-attr]


def test_a_payout_under_way_at_a_stop_whose_reservation_expired_meanwhile_is_asked_about_and_flagged(
        tmp_path: Path) -> None:
    """The service stopped while the operator was paying (the payout still NEW in remit.db), and the reservation
    expired before it started again; the operator did pay. Reconciliation asks the operator about the payout and
    flags it, once. Before: only UNKNOWN payouts were asked about, so this one stayed NEW: the wallet paid, the money
    back with the sender, and nothing flagged."""
    transfer_id = str(uuid.uuid4())
    with own_network(tmp_path, OPERATOR_PAYS_IN_MS) as own:
        net, sim, keys, token, settings = own.net, own.sim, own.keys, own.token, own.settings
        with running(net, tmp_path, settings) as (service, served):
            with own.send(service, served, transfer_id, STOPPED_EXPIRES_IN_MS) as client:
                wait_until("the payout started", lambda: "PAYOUT_STARTED" in [
                    s["step"] for s in client.transfer(transfer_id)["timeline"]], timeout_s=WAIT_S, every_s=0.05)
            pending_id = service.transfers.get(transfer_id).reserve_tx_id  # type: ignore[union-attr]
        wait_until("the operator to pay the wallet", lambda: sim.admin.history(NUMBER[1:]), timeout_s=WAIT_S,
                   every_s=0.05)
        _expire(net, keys, pending_id)
        with running(net, tmp_path, settings) as (_service, served):
            with RemitClient(served.base_url, token) as client:
                seen = wait_until("the payout flagged", lambda: _flagged(client, transfer_id, "PAID_AFTER_ABORT"), timeout_s=10)
        assert seen["state"] == "ABORTED" and seen["payout"]["status"] == "SUCCESSFUL", seen
        assert seen["payout"]["reason"] == "PAID_AFTER_ABORT" and _reconcile_steps(seen) == 1
        assert len(sim.admin.history(NUMBER[1:])) == 1


def test_payouts_unknown_for_longer_than_they_are_asked_about_do_not_keep_newer_ones_from_being_asked(
        tmp_path: Path) -> None:
    """Payouts whose outcome stayed unknown past ``payout_reconcile_ms_max`` are no longer asked about. They were
    still read first (oldest first) and skipped, so a batch's worth of them (here 2) kept every newer unknown
    payout from being asked for good: this one, paid after its reservation expired, was never flagged."""
    transfer_id = str(uuid.uuid4())
    with own_network(tmp_path, OPERATOR_LATE_MS, reconcile_batch_max=2) as own:
        with running(own.net, tmp_path, own.settings) as (service, served):
            for n in range(own.settings.reconcile_batch_max):
                assert service.payouts.claim(PayoutRecord(
                    pending_id=bytes([n]) * 32, fsp="mobimo", quote_id=f"long-ago-{n}",
                    reference_id=str(uuid.uuid4()), msisdn=NUMBER, amount_minor=1_000, currency="RWF",
                    status="UNKNOWN", updated_at_ms=now_ms() - 2 * own.settings.payout_reconcile_ms_max))
            with own.send(service, served, transfer_id, EXPIRES_IN_MS) as client:
                seen = wait_until("the payout flagged", lambda: _flagged(client, transfer_id, "PAID_AFTER_ABORT"),
                                  timeout_s=WAIT_S)
        assert seen["state"] == "ABORTED" and seen["payout"]["status"] == "SUCCESSFUL", seen
        assert seen["payout"]["reason"] == "PAID_AFTER_ABORT" and _reconcile_steps(seen) == 1
