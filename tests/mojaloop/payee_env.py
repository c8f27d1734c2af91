"""A real demo with the eKash gateway, and a recording hub: the payee side's test bench.

The hub is a real HTTP server on loopback that answers every FSPIOP message 200 and keeps it, for a test to
take the callbacks it expects (bounded waits). The demo runs on a free port, FSPIOP at /fspiop.
"""

from __future__ import annotations

import json
import queue
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from inzira.api.server import ServedApp, serve_in_thread
from inzira.demo.app import Demo
from tests.mojaloop.ttk import TestingToolkit

CALLBACK_WAIT_S = 20.0
HTTP_TIMEOUT_S = 10.0
PAYER_FSP = "payerdfsp"
WALLET = "250788123456"  # Jeanne Uwase at MobiMo, in the demo


@dataclass(frozen=True)
class Message:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes


class Hub:
    """Keeps what the gateway sends; ``take(path)`` waits for the next message to that path."""

    def __init__(self) -> None:
        self.inbox: queue.Queue[Message] = queue.Queue(maxsize=1_000)
        self._seen: list[Message] = []
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH"])
        async def receive(request: Request, path: str) -> Response:
            raw = await request.body()
            body = json.loads(raw) if raw else None
            self.inbox.put_nowait(Message(request.method, "/" + path, {k.lower(): v for k, v in
                                                                         request.headers.items()}, body, raw))
            return Response(status_code=200)

        self.app = app
        self.served: ServedApp | None = None
        self.url = ""

    def start(self) -> "Hub":
        self.served, port = serve_in_thread(self.app, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        if self.served is not None:
            self.served.stop()

    def take(self, path: str, wait_s: float = CALLBACK_WAIT_S) -> Message:
        return self.take_either(path, wait_s=wait_s)

    def take_either(self, *paths: str, wait_s: float = CALLBACK_WAIT_S) -> Message:
        """The next message to any of ``paths`` (an answer or its error, when a test accepts either)."""
        for i, message in enumerate(self._seen):
            if message.path in paths:
                return self._seen.pop(i)
        while True:
            message = self.inbox.get(timeout=wait_s)  # queue.Empty fails the test after the wait
            if message.path in paths:
                return message
            self._seen.append(message)


@dataclass
class Bench:
    demo: Demo
    hub: Hub

    @property
    def fspiop(self) -> str:
        return f"http://127.0.0.1:{self.demo.port}/fspiop"

    def send(self, method: str, path: str, resource: str, body: Any = None, *, version: str = "1.0",
             headers: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> httpx.Response:
        sent = {"Accept": f"application/vnd.interoperability.{resource}+json;version={version}",
                "Content-Type": f"application/vnd.interoperability.{resource}+json;version={version}",
                "Date": formatdate(usegmt=True), "FSPIOP-Source": PAYER_FSP, **(headers or {})}
        for name in drop:
            sent.pop(name)
        content = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        with httpx.Client(timeout=HTTP_TIMEOUT_S) as client:
            del client.headers["accept"]  # httpx's default "*/*": only the Accept a test sets goes out
            return client.request(method, self.fspiop + path, headers=sent, content=content)


def start_bench(data_dir: Path) -> Iterator[Bench]:
    hub = Hub().start()
    demo = Demo(data_dir, port=0, mojaloop_hub=hub.url)
    try:
        demo.start()
        yield Bench(demo, hub)
    finally:
        demo.stop()
        hub.stop()


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    yield from start_bench(tmp_path_factory.mktemp("demo"))


def quote_body(to_id: str = WALLET, amount: str | dict[str, str] = "1500", id_type: str = "MSISDN",
               **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "quoteId": str(uuid.uuid4()), "transactionId": str(uuid.uuid4()),
        "payer": {"partyIdInfo": {"partyIdType": "MSISDN", "partyIdentifier": "44123456789", "fspId": PAYER_FSP}},
        "payee": {"partyIdInfo": {"partyIdType": id_type, "partyIdentifier": to_id, "fspId": "inzira"}},
        "amountType": "SEND", "amount": amount if isinstance(amount, dict) else {"amount": amount, "currency": "RWF"},
        "transactionType": {"scenario": "TRANSFER", "initiator": "PAYER", "initiatorType": "CONSUMER"},
    }
    body.update(changes)
    return body


def transfer_body(quote: dict[str, Any], answer: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {"transferId": quote["transactionId"], "payerFsp": PAYER_FSP, "payeeFsp": "inzira",
            "amount": answer["transferAmount"], "expiration": answer["expiration"],
            "ilpPacket": answer["ilpPacket"], "condition": answer["condition"]}
    body.update(changes)
    return body


@pytest.fixture(scope="module")
def demo_behind_ttk(ttk: TestingToolkit, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    demo = Demo(tmp_path_factory.mktemp("demo"), port=0, mojaloop_hub=ttk.fspiop_url)
    demo.start()
    try:
        ttk.configure(CALLBACK_ENDPOINT=f"http://127.0.0.1:{demo.port}/fspiop")
        yield demo
    finally:
        ttk.configure(CALLBACK_ENDPOINT=ttk.fspiop_url)
        demo.stop()
