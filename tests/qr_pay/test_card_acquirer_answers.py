"""A card acquirer that lies in its answers: the service's client takes only well-shaped ones. A session's
times are stored in SQLite INTEGER columns and its card form URL goes into the wallet page's form action and
Content-Security-Policy, so an out-of-range time or a URL that is not plain http(s) is refused as an unusable
answer (HttpProblem 502), which the service turns into 503 2003 with nothing moved, not a 500."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from inzira.http import HttpProblem
from inzira.qr.card_acquirer import AcquirerSession, CardAcquirer
from inzira.qr.settings import CardAcquirerLink

TIMEOUT_MS = 2_000
HONEST = {"id": "cs_1", "reference": "top_1", "amount_minor": 100, "currency": "CNY", "status": "open",
          "expires_at_ms": 1_800_000_000_000, "card_form_url": "http://127.0.0.1:9/pay/cs_1"}


class _Liar(BaseHTTPRequestHandler):
    answer: dict[str, Any] = HONEST

    def _reply(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def liar() -> Iterator[tuple[str, type[_Liar]]]:
    handler = type("Liar", (_Liar,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _ask(base_url: str) -> AcquirerSession:
    async def both() -> AcquirerSession:
        acquirer = CardAcquirer(CardAcquirerLink(base_url, "key", "secret"), TIMEOUT_MS)
        try:
            await acquirer.session("cs_1")
            return await acquirer.open_session("top_1", 100, "CNY", None, 60_000)
        finally:
            await acquirer.aclose()

    return asyncio.run(both())


def test_an_honest_answer_is_taken(liar: tuple[str, type[_Liar]]) -> None:
    base_url, handler = liar
    handler.answer = HONEST
    assert _ask(base_url).card_form_url == HONEST["card_form_url"]


@pytest.mark.parametrize("lie", [
    {"expires_at_ms": 2**64 - 1},  # past SQLite's INTEGER: the store job that keeps it would raise
    {"expires_at_ms": -1},
    {"amount_minor": 2**64 - 1},
    {"card_form_url": "javascript:alert(document.cookie)"},
    {"card_form_url": "https://acquirer.example/pay\r\nSet-Cookie: a=b"},  # into a response header
    {"card_form_url": "https://acquirer.example; script-src *"},  # into the page's CSP
    {"card_form_url": "https://acquirer.example/\u4e2d"},  # not latin-1: a header cannot carry it
], ids=["time_past_int64", "time_negative", "amount_past_int64", "javascript_url", "header_break", "csp_directive",
        "non_ascii_url"])
def test_a_lying_answer_is_unusable(liar: tuple[str, type[_Liar]], lie: dict[str, Any]) -> None:
    base_url, handler = liar
    handler.answer = {**HONEST, **lie}
    with pytest.raises(HttpProblem) as info:
        _ask(base_url)
    assert info.value.status == 502
