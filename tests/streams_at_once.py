"""Many requests on their own connections, all sent before any answer is read: a limit checked in a route must
hold for requests arriving together, not only one after another.

Over HTTP, whether a server reads such requests in one turn of its loop depends on the machine's timing; a test
that must see them together has the route answer them all at once on the server's own loop
(``answered_together``), then ends each answer as a client that went away."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Sequence
from contextlib import suppress

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Message, Scope

HEAD_BYTES_MAX = 4096
POLL_S = 0.05


def loopback_sources(count: int, per_source: int) -> list[str]:
    """``count`` client addresses on loopback (127.0.0.0/8 all reaches this host), each used ``per_source`` times:
    many clients for a limit per client address."""
    return [f"127.0.{1 + i // per_source // 250}.{2 + i // per_source % 250}" for i in range(count)]


def statuses_at_once(host: str, port: int, request: bytes, count: int, timeout_s: float,
                     sources: Sequence[str] = ()) -> list[int]:
    """The status of each of ``count`` copies of ``request`` (raw HTTP/1.1), sent together (the i-th from
    ``sources[i]`` when given); the connections are closed before returning."""
    socks = [socket.create_connection((host, port), timeout=timeout_s,
                                      source_address=(sources[i], 0) if sources else None) for i in range(count)]
    try:
        for sock in socks:
            sock.sendall(request)
        return [read_status(sock) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def read_status(sock: socket.socket) -> int:
    """The status of the answer arriving on ``sock`` (read up to its first line)."""
    head = b""
    while b"\r\n" not in head and len(head) < HEAD_BYTES_MAX:
        chunk = sock.recv(HEAD_BYTES_MAX)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ", 2)[1])


def session_get(client: httpx.Client, path: str) -> bytes:
    """A raw HTTP/1.1 GET of ``path`` on ``client``'s server, carrying its cookies (a page session)."""
    url = client.base_url
    return f"GET {path} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\nCookie: {_cookie(client)}\r\n\r\n".encode()


def limit_holds(client: httpx.Client, path: str, limit: int, over_limit: int, timeout_s: float) -> None:
    """Of ``limit + over_limit`` GETs of ``path`` (a stream that stays open) sent together over HTTP with
    ``client``'s session, ``limit`` are answered and the rest refused (503); once those connections close,
    their places are free again."""
    host, port, request = client.base_url.host, client.base_url.port or 80, session_get(client, path)
    deadline = time.monotonic() + timeout_s
    while True:  # the server notices connections closed before (another test's, or answered_together's)
        statuses = statuses_at_once(host, port, request, limit + over_limit, timeout_s)
        if statuses.count(200) == limit:
            break
        assert statuses.count(200) < limit, f"more streams than the limit: {statuses}"
        assert time.monotonic() < deadline, f"closed streams never freed their places: {statuses}"
        time.sleep(POLL_S)
    assert statuses.count(503) == over_limit, statuses


def answered_together(app: FastAPI, client: httpx.Client, path: str, count: int,
                      server_loop: asyncio.AbstractEventLoop, timeout_s: float) -> list[int]:
    """The statuses ``app``'s route answers ``count`` GETs of ``path`` with (``client``'s cookies), all asked
    at once on the server's loop; then each answer is run as for a client that has gone (its stream ends)."""
    scope: Scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
                    "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
                    "query_string": b"", "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "app": app,
                    "headers": [(b"host", b"127.0.0.1"), (b"cookie", _cookie(client).encode())]}
    route, found = _route(app.router.routes, scope)

    async def gone() -> Message:
        return {"type": "http.disconnect"}

    async def discard(message: Message) -> None:
        return None

    async def ask_all() -> list[int]:
        answers: list[Response] = await asyncio.gather(
            *(route.endpoint(Request(found), **found["path_params"]) for _ in range(count)))
        for answer in answers:
            await answer(found, gone, discard)
        return [answer.status_code for answer in answers]

    return asyncio.run_coroutine_threadsafe(ask_all(), server_loop).result(timeout_s)


def _route(routes: Sequence[BaseRoute], scope: Scope) -> tuple[APIRoute, Scope]:
    """The route (in routers included without a prefix, as the pages' are) answering ``scope``, and its scope."""
    for route in routes:
        if isinstance(route, APIRoute):
            match, child = route.matches(scope)
            if match is Match.FULL:
                return route, {**scope, **child}
        included = getattr(route, "original_router", None)  # FastAPI keeps an included router whole
        if included is not None:
            with suppress(AssertionError):
                return _route(included.routes, scope)
    raise AssertionError(f"no route answers {scope['method']} {scope['path']}")


def _cookie(client: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())
