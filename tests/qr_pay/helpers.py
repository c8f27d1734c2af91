"""Talking to the QR API in tests: members' and customers' clients, the usual set-ups, problem checks and a
server-sent event reader with deadlines."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from inzira.api.models import ProblemModel
from inzira.node.reader import load_genesis
from inzira.qr.serve import QrServer
from inzira.sim.card import RunningCardSim

HTTP_TIMEOUT_S = 20.0
PROBLEM_TYPE = "application/problem+json"
APPROVED_CARD = "4242424242424242"


def pay_by_card(card_form_url: str, number: str, expiry: str = "12/39", cvc: str = "123") -> httpx.Response:
    """Post the card form to the acquirer, as the visitor's browser does."""
    answer = httpx.post(card_form_url, data={"card_number": number, "expiry": expiry, "cvc": cvc, "name": "Li Wei"},
                        timeout=HTTP_TIMEOUT_S)
    assert answer.status_code in (200, 303), answer.text
    return answer


def problem(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with this status and code; return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_TYPE
    body = response.json()
    ProblemModel.model_validate(body)
    assert body["code"] == code and body["status"] == status, body
    assert body["type"].endswith(str(code)) and body["title"] and body["detail"]
    assert not body["title"].startswith("unknown code"), body
    return body


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    return response.json()


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


class Qr:
    """The server under test and the calls the tests share."""

    def __init__(self, server: QrServer) -> None:
        self.server = server
        self.tokens = server.api_tokens()
        self.clients: dict[str | None, httpx.Client] = {}
        self.ubumwe = self.client(self.tokens["ubumwe"])
        self.silkpay = self.client(self.tokens["silkpay"])
        self.genesis = load_genesis(server.data_dir)

    def __enter__(self) -> "Qr":
        return self

    def __exit__(self, *exc: object) -> None:
        for client in self.clients.values():
            client.close()

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def node(self):  # type: ignore[no-untyped-def]
        assert self.server.runtime is not None
        return self.server.runtime.node

    def client(self, token: str | None = None) -> httpx.Client:
        """One client per token (kept, closed at the end)."""
        if token not in self.clients:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            self.clients[token] = httpx.Client(base_url=self.base_url, headers=headers, timeout=HTTP_TIMEOUT_S)
        return self.clients[token]

    def balance(self, account: str) -> int:
        found = self.node.account(account)
        return 0 if found is None else found.balance_minor

    def merchant(self, name: str = "Kigali Heights Deli", **extra: Any) -> dict[str, Any]:
        body = {"name": name, "city": "Kigali", "mcc": "5812", "location": "KG 7 Ave, Kigali Heights", **extra}
        return created(self.ubumwe.post("/v1/qr/merchants", json=body))

    def pos(self, merchant: dict[str, Any]) -> httpx.Client:
        """The merchant's POS page: its own token."""
        return self.client(merchant["merchant_token"])

    def bill(self, merchant: dict[str, Any], amount_minor: int, **extra: Any) -> dict[str, Any]:
        return created(self.ubumwe.post(f"/v1/qr/merchants/{merchant['merchant_id']}/bills",
                                        json={"amount_minor": amount_minor, **extra}))

    def wallet(self, currency: str = "CNY", topup_minor: int = 0) -> dict[str, Any]:
        wallet = created(self.silkpay.post("/v1/qr/wallets", json={"currency": currency, "holder": "Li Wei"}))
        if topup_minor:
            self.top_up(wallet, topup_minor)
        return wallet

    def visitor(self, wallet: dict[str, Any]) -> httpx.Client:
        """The visitor's wallet page: its own token."""
        return self.client(wallet["wallet_token"])

    def card_sim(self, issuer: str = "silkpay") -> RunningCardSim:
        """The issuer's card acquirer (a simulator the server started)."""
        assert self.server.cards is not None
        return self.server.cards.sims[issuer]

    def open_top_up(self, wallet: dict[str, Any], amount_minor: int, **extra: Any) -> dict[str, Any]:
        return created(self.visitor(wallet).post(f"/v1/qr/wallets/{wallet['wallet_id']}/topups",
                                                 json={"amount_minor": amount_minor, **extra}))

    def check(self, wallet: dict[str, Any], topup_id: str) -> httpx.Response:
        return self.visitor(wallet).post(f"/v1/qr/wallets/{wallet['wallet_id']}/topups/{topup_id}/check")

    def top_up(self, wallet: dict[str, Any], amount_minor: int, card: str = APPROVED_CARD) -> dict[str, Any]:
        """As a visitor tops up: open the card payment, pay on the acquirer's card form, come back (check)."""
        opened = self.open_top_up(wallet, amount_minor)
        pay_by_card(opened["card_form_url"], card)
        return ok(self.check(wallet, opened["topup_id"]))

    def quote(self, wallet: dict[str, Any], payload: str, amount_minor: int | None = None,
              **extra: Any) -> httpx.Response:
        body: dict[str, Any] = {"payload": payload, **extra}
        if amount_minor is not None:
            body["amount_minor"] = amount_minor
        return self.visitor(wallet).post(f"/v1/qr/wallets/{wallet['wallet_id']}/quotes", json=body)

    def pay(self, wallet: dict[str, Any], quote_id: str) -> httpx.Response:
        return self.visitor(wallet).post(f"/v1/qr/wallets/{wallet['wallet_id']}/payments",
                                         json={"quote_id": quote_id})

    def quote_and_pay(self, wallet: dict[str, Any], payload: str, amount_minor: int | None = None) -> dict[str, Any]:
        quote = created(self.quote(wallet, payload, amount_minor))
        return created(self.pay(wallet, quote["quote_id"]))

    def ticket(self, token: str) -> str:
        """A 60 s ticket for ``token``'s streams and images, as a browser's page would ask for one."""
        return ok(self.client(token).post("/v1/qr/tickets"))["ticket"]

    @contextmanager
    def stream(self, path: str, token: str, **params: Any) -> Iterator["EventReader"]:
        """The stream as a browser's EventSource opens it: no header, a ticket in the URL."""
        with httpx.Client(base_url=self.base_url, timeout=HTTP_TIMEOUT_S) as client:
            with client.stream("GET", path, params={"ticket": self.ticket(token), **params}) as response:
                assert response.status_code == 200, response.read()
                assert response.headers["content-type"].startswith("text/event-stream")
                yield EventReader(response)


class EventReader:
    """Frames of one server-sent event stream: {"event", "id", "data"}; heartbeats keep deadlines checked."""

    def __init__(self, response: httpx.Response) -> None:
        self._lines = response.iter_lines()
        self._fields: dict[str, str] = {}

    def next(self, deadline: float) -> dict[str, Any]:
        for line in self._lines:
            if time.monotonic() > deadline:
                raise TimeoutError("no such event in time")
            if line == "":
                fields, self._fields = self._fields, {}
                if "data" in fields:
                    return {"event": fields.get("event"), "id": fields.get("id"), "data": json.loads(fields["data"])}
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                self._fields[name] = value.removeprefix(" ")
        raise TimeoutError("the stream ended")

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool], timeout_s: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            frame = self.next(deadline)
            if wanted(frame):
                return frame
