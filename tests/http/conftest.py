"""A real HTTP server on loopback that answers as the services the product calls do, and counts the calls."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from inzira.api.server import serve_in_thread

PROBLEM = "application/problem+json"
BOMB = gzip.compress(b"0" * 10_000_000)
ACCEPT_TIMEOUT_S = 10
ACCEPT_POLL_S = 0.2  # how soon the raw server notices it is to stop
DRIP_INTERVAL_S = 0.05
DRIP_BYTES_MAX = 400  # 20 s of trickle: far past any deadline a test sets
SLOW_EVENTS = 12
SLOW_EVENT_INTERVAL_S = 0.1



class BoundedCall:
    """``call`` on a thread of its own, waited for up to ``bound_s``: whether it ended in time, and what it
    raised. A hostile peer would hold it far longer: the test asserts on ``ended_in_time`` at once, or first
    lets the peer go (``join``) so the thread and the client can end."""

    def __init__(self, call: Callable[[], object], bound_s: float) -> None:
        self.raised: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(call,), name="bounded-call", daemon=True)
        self._thread.start()
        self._thread.join(bound_s)
        self.ended_in_time = not self._thread.is_alive()

    def _run(self, call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException as exc:  # handed to the test
            self.raised = exc

    def join(self, wait_s: float) -> None:
        self._thread.join(wait_s)

def other_side(hits: Counter[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/ok")
    async def ok(request: Request) -> dict[str, object]:
        hits["ok"] += 1
        return {"answer": 42, "auth": request.headers.get("authorization", "")}

    @app.post("/echo")
    async def echo(request: Request) -> Response:
        hits["echo"] += 1
        return Response(await request.body(), 201, media_type="application/json")

    @app.get("/refused")
    async def refused() -> Response:
        return JSONResponse({"type": "urn:inzira:problem:3204", "title": "party not found", "status": 404,
                             "detail": "no FSP serves +250788000000", "code": 3204, "refundable_minor": 7},
                            404, media_type=PROBLEM)

    @app.get("/limited")
    async def limited() -> Response:
        return JSONResponse({"detail": "slow down", "code": 3041}, 429, {"Retry-After": "60"})

    @app.get("/deep/{status}")
    async def deep(status: int) -> Response:  # arrays nested past any decoder's depth: 10 KB of JSON
        return Response(b"[" * 5_000 + b"]" * 5_000, status, media_type="application/json")

    @app.get("/not-utf8/{status}")
    async def not_utf8(status: int) -> Response:  # JSON whose one string is not UTF-8
        return Response(b'{"detail": "\xff\xfe", "code": 3204}', status, media_type="application/json")

    @app.get("/plain-error")
    async def plain_error() -> Response:
        return Response("gateway exploded", 500)

    @app.api_route("/flaky", methods=["GET", "POST"])
    async def flaky(request: Request) -> Response:
        hits[f"flaky {request.method}"] += 1
        if hits[f"flaky {request.method}"] < 3:
            return JSONResponse({"detail": "busy", "code": 2005}, 503)
        return JSONResponse({"after": hits[f"flaky {request.method}"]})

    @app.get("/large")
    async def large() -> Response:
        return Response(b"x" * 10_000, media_type="text/plain")

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(2)
        return {"late": "yes"}

    @app.get("/endless")
    async def endless() -> StreamingResponse:  # no Content-Length: the size shows only as it comes
        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(10):
                yield b"x" * 1_000
        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/bomb")
    async def bomb() -> Response:  # 10 MB once inflated, 10 kB on the wire
        return Response(BOMB, media_type="text/plain", headers={"Content-Encoding": "gzip"})

    @app.get("/moved")
    async def moved() -> Response:
        hits["moved"] += 1
        return Response(status_code=302, headers={"Location": "/ok"})

    @app.api_route("/request", methods=["GET", "POST"])
    async def request_seen(request: Request) -> dict[str, object]:
        return {"query": request.url.query, "type": request.headers.get("content-type", ""),
                "evil": request.headers.get("x-evil", ""), "body": (await request.body()).decode()}

    @app.get("/raw/{rest:path}")
    async def raw_seen(request: Request) -> dict[str, object]:  # the request line's path, before any decoding
        return {"path": request.scope["raw_path"].decode(), "accept": request.headers.get("accept")}

    @app.get("/long-line")
    async def long_line() -> StreamingResponse:
        async def lines():  # type: ignore[no-untyped-def]
            yield b"data: 1\r\n\r\n"
            for _ in range(5):
                yield b"y" * 1_000
        return StreamingResponse(lines(), media_type="text/event-stream")

    @app.get("/slow-events")
    async def slow_events() -> StreamingResponse:  # lasts longer than an attempt may, each event in time
        async def lines():  # type: ignore[no-untyped-def]
            for n in range(SLOW_EVENTS):
                await asyncio.sleep(SLOW_EVENT_INTERVAL_S)
                yield f"data: {n}\n\n".encode()
        return StreamingResponse(lines(), media_type="text/event-stream")

    @app.get("/events")
    async def events() -> StreamingResponse:
        async def lines():  # type: ignore[no-untyped-def]
            for n in range(3):
                yield f"event: tick\ndata: {n}\n\n".encode()
        return StreamingResponse(lines(), media_type="text/event-stream")

    return app


@pytest.fixture(scope="module")
def hits() -> Counter[str]:
    return Counter()


@pytest.fixture(scope="module")
def url(hits: Counter[str]) -> Iterator[str]:
    served, _ = serve_in_thread(other_side(hits))
    try:
        yield served.base_url
    finally:
        served.stop()


# A server that is not HTTP, or breaks off: what no framework would send. Each connection gets the reply
# its request line names, then is closed.
RAW_REPLIES = {
    b"/garbage": b"SSH-2.0-OpenSSH_9.6\r\n",
    b"/cut": b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\": ",
    b"/cut-stream": b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"9\r\ndata: 0\n\n\r\n4\r\ndat",
}

# A peer that trickles: the start of an answer at once, then the rest a byte every DRIP_INTERVAL_S (its last
# byte over and over), each well within any timeout, until the client hangs up (or DRIP_BYTES_MAX).
DRIPS = {
    b"/drip-body": (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n", b" "),
    b"/drip-head": (b"", b"HTTP/1.1 200 OK\r\nX-Slow: a"),  # the status line too
}


def _drip(conn: socket.socket, start: bytes, rest: bytes) -> None:
    with conn:
        try:
            conn.sendall(start)
            for n in range(DRIP_BYTES_MAX):
                time.sleep(DRIP_INTERVAL_S)
                conn.sendall(rest[min(n, len(rest) - 1):][:1])
        except OSError:  # the client gave up: what the test wants
            return


def _answer_raw(conn: socket.socket) -> None:
    with conn:
        conn.settimeout(ACCEPT_TIMEOUT_S)
        request = conn.recv(65_536)
        path = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b""
        if path in DRIPS:  # on a thread of its own, so the next connection is not kept waiting
            threading.Thread(target=_drip, args=(conn.dup(), *DRIPS[path]), daemon=True).start()
            return
        conn.sendall(RAW_REPLIES.get(path, b""))


@pytest.fixture(scope="module")
def raw_url() -> Iterator[str]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(ACCEPT_POLL_S)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:  # the accept's timeout, or the listener closed
                continue
            _answer_raw(conn)

    thread = threading.Thread(target=serve, name="raw-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        thread.join(ACCEPT_TIMEOUT_S)
