"""The server the remittance service runs on its own loop trusts no forwarded headers: no proxy is in front
of it, so a caller on this host cannot pass itself off as another address or as having come over HTTPS."""

from __future__ import annotations

import asyncio
import threading

import httpx
from starlette.types import Receive, Scope, Send

from inzira.remit.loop_server import LoopServer


async def _who(scope: Scope, receive: Receive, send: Send) -> None:
    body = f"{scope['client'][0]} {scope['scheme']}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
    await send({"type": "http.response.body", "body": body})


def test_forwarded_headers_from_this_host_are_not_trusted() -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        server = LoopServer(lambda coro: asyncio.run_coroutine_threadsafe(coro, loop), _who, "127.0.0.1", 0)
        try:
            answer = httpx.get(server.base_url, headers={"X-Forwarded-For": "203.0.113.9",
                                                         "X-Forwarded-Proto": "https"}, timeout=10)
        finally:
            server.stop()
        assert answer.text == "127.0.0.1 http"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()
