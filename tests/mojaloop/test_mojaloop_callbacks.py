"""Messages to the hub: retried on 5xx and silence, not on 4xx, each attempt bounded; headers as FSPIOP wants."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request, Response

from inzira.api.server import serve_in_thread
from inzira.interop.mojaloop.callbacks import HubClient
from inzira.interop.mojaloop.errors import ErrorCode, FspiopError


class Scripted:
    """A hub answering each message with the next status of its script (then 200), keeping what came."""

    def __init__(self) -> None:
        self.script: list[int] = []
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["PUT", "POST"])
        async def answer(request: Request, path: str) -> Response:
            self.seen.append((request.method, "/" + path, dict(request.headers), await request.body()))
            return Response(status_code=self.script.pop(0) if self.script else 200)

        self.app = app


@pytest.fixture(scope="module")
def hub() -> Iterator[tuple[Scripted, str]]:
    scripted = Scripted()
    served, port = serve_in_thread(scripted.app, "127.0.0.1", 0)
    try:
        yield scripted, f"http://127.0.0.1:{port}"
    finally:
        served.stop()


def _send(client: HubClient, *args):  # type: ignore[no-untyped-def]
    async def run():  # type: ignore[no-untyped-def]
        try:
            return await client.put(*args)
        finally:
            await client.aclose()
    return asyncio.run(run())


def test_a_5xx_is_retried_until_the_hub_takes_it(hub):
    scripted, url = hub
    scripted.script, scripted.seen = [500, 503], []
    sent = _send(HubClient(url, "inzira", first_pause_ms=1), "/transfers/1", "transfers", (1, 0), "payer",
                 {"transferState": "COMMITTED"})
    assert (sent.status, sent.attempts) == (200, 3)
    method, path, headers, body = scripted.seen[-1]
    assert (method, path) == ("PUT", "/transfers/1") and json.loads(body) == {"transferState": "COMMITTED"}
    assert headers["content-type"] == "application/vnd.interoperability.transfers+json;version=1.0"
    assert headers["fspiop-source"] == "inzira" and headers["fspiop-destination"] == "payer"
    assert "accept" not in headers and headers["date"].endswith("GMT")


def test_a_4xx_is_the_hubs_refusal_and_is_not_retried(hub):
    scripted, url = hub
    scripted.script, scripted.seen = [400], []
    error = FspiopError(ErrorCode.PARTY_NOT_FOUND, "nobody")
    sent = asyncio.run(_error(HubClient(url, "inzira", first_pause_ms=1), error))
    assert (sent.status, sent.attempts) == (400, 1)
    assert scripted.seen[0][1] == "/parties/MSISDN/1/error"
    assert json.loads(scripted.seen[0][3])["errorInformation"]["errorCode"] == "3204"


async def _error(client: HubClient, error: FspiopError):  # type: ignore[no-untyped-def]
    try:
        return await client.put_error("/parties/MSISDN/1", "parties", (1, 1), "payer", error)
    finally:
        await client.aclose()


def test_a_silent_hub_costs_a_bounded_number_of_bounded_attempts():
    with socket.socket() as listener:  # accepts connections, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        client = HubClient(url, "inzira", timeout_ms=200, attempts_max=2, first_pause_ms=1)
        sent = _send(client, "/quotes/1", "quotes", (1, 1), "payer", {"x": 1})
    assert (sent.status, sent.attempts) == (0, 2)
