"""Two remittance services on one ledger, each holding one member's port, as two members' own deployments do:
mobimo's receiving (``/v1/fsp``) and eurosend's sending to it; and what the tests of the pair do to it (agree a
quote at mobimo's deployment, craft a reservation under it, wait for its end)."""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from inzira.api.app import create_app
from inzira.api.server import serve_in_thread
from inzira.demo.setup import demo_keyring
from inzira.ledger.codes import Code
from inzira.ledger.records import PENDING, Leg
from inzira.ledger.tx import Issue, OpenAccount, Transfer
from inzira.node.custody import Keyring
from inzira.remit.api import mount_fsp, mount_remit
from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from tests.network.helpers import wait_until
from tests.remit_flow.conftest import HTTP_TIMEOUT_S, Flow, now_ms

QUOTES = "/v1/fsp/mobimo/quotes"
MOBIMO_FEE_MINOR = 300  # the demo schedule's fixed fee


@dataclass
class Pair:
    flow: Flow
    keys: Keyring
    payee: RemitService  # mobimo's
    payee_url: str
    sender: RemitService  # eurosend's
    sender_url: str

    def fsp(self) -> httpx.Client:
        return httpx.Client(base_url=self.payee_url, timeout=HTTP_TIMEOUT_S)

    def signed(self, member: str, method: str, path: str, body: bytes = b"") -> dict[str, str]:
        headers = self.keys.port(self.flow.net, member).sign_request(method, path, body)
        return {**headers, "Content-Type": "application/json"} if body else headers


def serve_service(stack: contextlib.ExitStack, flow: Flow, service: RemitService, fsp: bool) -> str:
    app = create_app(flow.net, routers=[])
    mount_remit(app, service)
    if fsp:
        mount_fsp(app, service)
    served, _port = serve_in_thread(app)
    stack.callback(served.stop)
    return served.base_url


@pytest.fixture(scope="module")
def pair(flow: Flow, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    keys = demo_keyring(flow.data_dir)
    with contextlib.ExitStack() as stack:
        payee = RemitService(flow.net, keys.ports(flow.net, ["mobimo"]), tmp_path_factory.mktemp("mobimo"),
                             RemitSettings(payout_adapters={"mobimo": flow.sims["mobimo"].adapter_config()},
                                           reconcile_interval_ms=200),
                             fx=flow.providers.fx_client(["mobimo"]), funding=flow.providers.funding_client(["mobimo"]))
        payee.start()
        stack.callback(payee.stop)
        payee_url = serve_service(stack, flow, payee, fsp=True)
        sender = RemitService(flow.net, keys.ports(flow.net, ["eurosend"]), tmp_path_factory.mktemp("eurosend"),
                              RemitSettings(receiving_fsp_urls={"mobimo": payee_url}, reconcile_interval_ms=200),
                              fx=flow.providers.fx_client(["eurosend"]),
                              funding=flow.providers.funding_client(["eurosend"]))
        sender.start()
        stack.callback(sender.stop)
        sender.directory.connect(flow.base_url, flow.tokens)
        yield Pair(flow, keys, payee, payee_url, sender, serve_service(stack, flow, sender, fsp=False))


def quote_body(msisdn: str, received: int = 10_000, fee: int = MOBIMO_FEE_MINOR, **changes: object) -> bytes:
    body = {"quote_id": str(uuid.uuid4()), "msisdn": msisdn, "amount_type": "SEND", "amount_received_minor": received,
            "receiving_fee_minor": fee, "currency": "RWF", "expires_at_ms": now_ms() + 60_000,
            "sender_name": "Marie Dupont", "receiver_name": "Jeanne Uwase", **changes}
    return json.dumps(body).encode()


def agree(pair: Pair, msisdn: str, by: str = "eurosend", **changes: object) -> dict:
    body = quote_body(msisdn, **changes)
    with pair.fsp() as http:
        answer = http.post(QUOTES, content=body, headers=pair.signed(by, "POST", QUOTES, body))
    assert answer.status_code == 200, answer.text
    return {**json.loads(body), **answer.json()}


def reserve(pair: Pair, quote: dict, received: int, payee: str = "mobimo", memo: str | None = None,
            extra: tuple[Leg, ...] = (), by: str = "eurosend", expires_in_ms: int = 20_000) -> bytes:
    """A hashlocked reservation crafted by ``by`` (from its own RWF, ``rwf_of``): credits mobimo as given."""
    condition = base64.urlsafe_b64decode(quote["condition"] + "=" * (-len(quote["condition"]) % 4))
    source = rwf_of(pair, by)
    legs = (Leg(source, "mobimo:rwf", received, "RWF"), Leg(source, "mobimo:fees-rwf", MOBIMO_FEE_MINOR, "RWF"),
            *extra)
    op = Transfer(legs, (), memo or f"remit:{quote['quote_id']}", now_ms() + expires_in_ms, condition, payee)
    outcome = pair.keys.port(pair.flow.net, by).execute(op, f"test:{uuid.uuid4().hex}")
    assert outcome.code == Code.OK, outcome
    return outcome.tx_id


def rwf_of(pair: Pair, member: str) -> str:
    """``member``'s RWF account, opened and funded by the central bank the first time (the demo gives a sending
    FSP none: its reservations draw on the FX provider's RWF through a firm quote)."""
    account = f"{member}:rwf"
    if pair.flow.net.node.account(account) is None:
        for signer, op in ((member, OpenAccount(account, "RWF")), ("cbr", Issue(account, 10_000_000, "RWF", account))):
            assert pair.keys.port(pair.flow.net, signer).execute(op, f"test:{uuid.uuid4().hex}").code == Code.OK
    return account


def settled(pair: Pair, pending_id: bytes) -> int:
    return wait_until("the reservation to be resolved", lambda: (
        p := pair.flow.net.node.pending(pending_id)) is not None and p.status != PENDING and p.status, timeout_s=30)


def payee_service(pair: Pair, folder: Path, batch: int = 500) -> RemitService:
    return RemitService(pair.flow.net, pair.keys.ports(pair.flow.net, ["mobimo"]), folder,
                        RemitSettings(payout_adapters={"mobimo": pair.flow.sims["mobimo"].adapter_config()},
                                      reconcile_interval_ms=200, reconcile_batch_max=batch),
                        fx=pair.flow.providers.fx_client(["mobimo"]),
                        funding=pair.flow.providers.funding_client(["mobimo"]))
