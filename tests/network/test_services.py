"""Services run unchanged on the distributed network: they see a ledger runtime, never the ordering mode.

A network of three peer processes, plus one peer in this process; the test, as its own composition root,
signs for several members through their ports over that peer's runtime (which holds no key). Ledger flows
and a whole remittance go through it; the other peers validate every block on their own and end on the
same hashes. (A member's own deployment, with only its key, is tests/network/test_member_deployment.py.)
"""

from __future__ import annotations

import contextlib
import hashlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.demo.seed import seed
from inzira.demo.providers import Providers
from inzira.directory.api import mount_directory
from inzira.directory.operator import DirectoryOperator
from inzira.directory.settings import DirectorySettings
from inzira.fx.desk import FxDesk
from inzira.fx.rate_source import RateSource
from inzira.ledger.codes import Code
from inzira.ledger.receipt import verify_receipt
from inzira.ledger.records import EXPIRED, Leg
from inzira.ledger.tx import Issue, OpenAccount, PostPending, Transfer
from inzira.network.layout import DEMO_MEMBER_IDS
from inzira.network.nats_cluster import NatsCluster
from inzira.node.custody import Keyring, MemberPort
from inzira.peer.service import Peer
from inzira.remit.api import mount_remit
from inzira.remit.client import RemitClient
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.momo import MomoSimConfig, serve
from tests.network.helpers import Net, in_process_peer, running_network

PROCESS_PEERS = ["cbr", "sbk", "mobimo"]
IN_PROCESS = "ubumwe"
HTTP_TIMEOUT_S = 30.0
WAIT_MS = 15_000


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, nats_cluster: NatsCluster) -> Iterator[tuple[Net, Peer]]:
    with running_network(Path(tmp_path_factory.mktemp("services")), nats_cluster, PROCESS_PEERS) as net:

        def knows_every_member(peer: Peer) -> None:
            # The test calls the API as several members through this one peer (a member's own peer knows its own).
            peer.runtime.api_tokens.update({net.local.api_token(m): m for m in DEMO_MEMBER_IDS})

        with in_process_peer(net, IN_PROCESS, 2, knows_every_member) as peer:
            yield net, peer


def _keys(net: Net) -> Keyring:
    return Keyring({m: net.local.member_key(m) for m in DEMO_MEMBER_IDS})


def _ports(net: Net, peer: Peer) -> dict[str, MemberPort]:
    return _keys(net).ports(peer.runtime, DEMO_MEMBER_IDS)


def _same_chain(net: Net, peer: Peer) -> None:
    agreed = net.wait_agreed(PROCESS_PEERS, min_height=peer.node.height)
    if agreed["height"] == peer.node.height:
        assert agreed["block_hash"] == peer.node.block_hash.hex()
        assert agreed["state_hash"] == peer.node.state.state_hash.hex()


@pytest.mark.timeout(120)
def test_ledger_flows_through_the_jetstream_runtime(setup: tuple[Net, Peer]) -> None:
    net, peer = setup
    rt = peer.runtime
    ports = _ports(net, peer)

    def ok(member: str, op: object) -> bytes:
        outcome = ports[member].execute(op)  # type: ignore[arg-type]
        assert outcome.code == Code.OK and outcome.height > 0, outcome
        return outcome.tx_id

    for member, name, currency in [("eurosend", "flow-eur", "EUR"), ("mobimo", "flow-rwf", "RWF"),
                                   ("imari-fx", "flow-eur", "EUR"), ("imari-fx", "flow-rwf", "RWF"),
                                   ("mobimo", "flow-eur", "EUR")]:
        ok(member, OpenAccount(f"{member}:{name}", currency))
    ok("sbk", Issue("eurosend:flow-eur", 1_000_00, "EUR"))
    ok("cbr", Issue("imari-fx:flow-rwf", 10_000_000, "RWF"))
    desk = FxDesk(ports["imari-fx"], RateSource.demo(now_ms()))
    quote = desk.quote("eurosend", "EUR", "RWF", now_ms=now_ms(), source_amount_minor=100_00)
    fx_tx = ok("eurosend", Transfer((Leg("eurosend:flow-eur", "imari-fx:flow-eur", quote.source_amount_minor, "EUR"),
                                     Leg("imari-fx:flow-rwf", "mobimo:flow-rwf", quote.target_amount_minor, "RWF")),
                                    quotes=(quote.signed,), memo="fx on jetstream"))
    fulfilment = hashlib.sha256(uuid.uuid4().bytes).digest()
    pending = ok("eurosend", Transfer((Leg("eurosend:flow-eur", "mobimo:flow-eur", 7_00, "EUR"),),
                                      expires_at_ms=now_ms() + 60_000, condition=hashlib.sha256(fulfilment).digest(),
                                      payee="mobimo"))
    ok("mobimo", PostPending(pending, fulfilment))
    assert rt.node.account("mobimo:flow-rwf").balance_minor == quote.target_amount_minor  # type: ignore[union-attr]
    assert rt.node.account("mobimo:flow-eur").balance_minor == 7_00  # type: ignore[union-attr]
    for tx_id in (fx_tx, pending):
        summary = verify_receipt(rt.node.receipt(tx_id), rt.node.genesis)  # type: ignore[arg-type]
        assert summary["code"] == Code.OK
    # Resubmitting a committed transaction is answered from the chain, not ordered again.
    again = rt.submit(rt.node.tx(fx_tx).raw).result(10)  # type: ignore[union-attr]
    assert (again.tx_id, again.code) == (fx_tx, Code.OK)
    rt.node.state.check_invariants()
    _same_chain(net, peer)


@pytest.mark.timeout(180)
def test_a_remittance_through_the_jetstream_runtime(setup: tuple[Net, Peer], tmp_path: Path) -> None:
    net, peer = setup
    rt = peer.runtime
    keys = _keys(net)
    seed(rt, keys)
    tokens = {m: t for t, m in rt.api_tokens.items()}
    with contextlib.ExitStack() as stack:
        sim = stack.enter_context(serve(MomoSimConfig(float_minor=10**12)))
        settings = RemitSettings(payout_adapters={"mobimo": sim.adapter_config()}, reconcile_interval_ms=200,
                                 alert_check_interval_ms=0)
        providers = Providers(rt, keys, tmp_path)
        stack.callback(providers.close)
        fsps = ["eurosend", "mobimo"]
        service = RemitService(rt, keys.ports(rt, fsps), tmp_path, settings, fx=providers.fx_client(fsps),
                               funding=providers.funding_client(fsps))
        operator = DirectoryOperator(keys.port(rt, "cbr"), tmp_path / "directory-operator",
                                     DirectorySettings(account_holder_apis=settings.payout_adapters), rt.api_tokens)
        stack.callback(operator.close)
        service.start()
        stack.callback(service.stop)
        app = create_app(rt, routers=providers.routers())
        mount_remit(app, service)
        mount_directory(app, operator)
        served, _ = serve_in_thread(app)
        stack.callback(served.stop)
        providers.connect(served.base_url)
        service.directory.connect(served.base_url, tokens)
        number = f"+25078{uuid.uuid4().int % 10**7:07d}"
        sim.admin.create_wallet(number[1:], "Jeanne", "Uwase")
        headers = {"Authorization": f"Bearer {tokens['mobimo']}"}
        listed = httpx.post(f"{served.base_url}/v1/remit/directory", json={"msisdn": number}, headers=headers,
                            timeout=HTTP_TIMEOUT_S)
        assert listed.status_code == 200, listed.text
        with RemitClient(served.base_url, tokens["eurosend"], timeout_s=HTTP_TIMEOUT_S) as client:
            quote = client.quote(number, "SEND", 20_000, "EUR")
            view = client.send(str(uuid.uuid4()), quote["quote_id"], "cust-1", "Marie Dupont", "Jeanne Uwase",
                               wait_ms=WAIT_MS)
        assert view["state"] == "COMMITTED", view
        assert sim.admin.wallet(number[1:]).balance_minor == quote["amount_received"]["amount_minor"]
    _same_chain(net, peer)


@pytest.mark.timeout(120)
def test_a_quiet_network_expires_a_pending_transfer_on_time(setup: tuple[Net, Peer]) -> None:
    net, peer = setup
    rt = peer.runtime
    ports = _ports(net, peer)
    for account in ("eurosend:quiet-a", "eurosend:quiet-b"):
        assert ports["eurosend"].execute(OpenAccount(account, "EUR")).code == Code.OK
    assert ports["sbk"].execute(Issue("eurosend:quiet-a", 1_000, "EUR")).code == Code.OK
    outcome = ports["eurosend"].execute(Transfer((Leg("eurosend:quiet-a", "eurosend:quiet-b", 400, "EUR"),),
                                              expires_at_ms=now_ms() + 800))
    assert outcome.code == Code.OK
    height = peer.node.height
    deadline = time.monotonic() + 15
    while (found := rt.node.pending(outcome.tx_id)) is None or found.status != EXPIRED:
        assert time.monotonic() < deadline, "the pending transfer did not expire without traffic"
        time.sleep(0.05)
    assert peer.node.height > height and all(peer.node.header(h).tx_count == 0
                                             for h in range(height + 1, peer.node.height + 1))  # empty blocks did it
    assert rt.node.account("eurosend:quiet-a").available_minor == 1_000  # type: ignore[union-attr]
    _same_chain(net, peer)
