"""The one body-limit middleware on a real server: one 413 problem, up front and mid-stream."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.types import Receive, Scope, Send

from inzira.api.body_limit import BodySizeLimit
from inzira.api.server import serve_in_thread

LIMIT_BYTES = 1_000
UPLOAD_LIMIT_BYTES = 5_000


async def _started_then_reads(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that starts its answer before it reads the body (a streamed echo)."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"started", "more_body": True})
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.body", "body": b" and done"})


def _app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    app.mount("/streamed", _started_then_reads)
    app.add_middleware(BodySizeLimit, body_bytes_max=LIMIT_BYTES, by_path={"/upload": UPLOAD_LIMIT_BYTES})
    return app


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    served, _ = serve_in_thread(_app())
    try:
        yield served.base_url
    finally:
        served.stop()


def _chunks(count: int) -> Iterator[bytes]:  # no Content-Length: the body streams in
    for _ in range(count):
        yield b"x" * 400


def _is_the_413(response: httpx.Response, limit_bytes: int) -> bool:
    body = response.json()
    return (response.status_code, response.headers["content-type"], response.headers["connection"],
            body["code"], body["detail"]) == (413, "application/problem+json", "close", 3104,
                                               f"request body is larger than {limit_bytes} bytes")


def test_a_body_within_the_limit_passes(url: str) -> None:
    assert httpx.post(f"{url}/echo", content=b"x" * LIMIT_BYTES).json() == {"bytes": LIMIT_BYTES}
    assert httpx.post(f"{url}/echo", content=_chunks(2)).json() == {"bytes": 800}


def test_a_declared_length_over_the_limit_is_refused_before_reading(url: str) -> None:
    assert _is_the_413(httpx.post(f"{url}/echo", content=b"x" * (LIMIT_BYTES + 1)), LIMIT_BYTES)


def test_a_body_crossing_the_limit_mid_stream_is_the_same_413_not_the_apps_400(url: str) -> None:
    assert _is_the_413(httpx.post(f"{url}/echo", content=_chunks(3)), LIMIT_BYTES)


def test_a_path_may_have_its_own_limit(url: str) -> None:
    assert httpx.post(f"{url}/upload", content=_chunks(10)).json() == {"bytes": 4_000}
    assert _is_the_413(httpx.post(f"{url}/upload", content=_chunks(13)), UPLOAD_LIMIT_BYTES)


def test_an_answer_already_under_way_is_cut_off_not_followed_by_a_413(url: str) -> None:
    """The client sees the cut as an answer that stops short, or as a reset: the server closes with the rest
    of the body unread, and TCP then resets the connection, sometimes before the answer's start is read.
    Never the app's whole answer, never a 413 after it."""
    statuses: list[int] = []
    body = bytearray()
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        with httpx.Client() as http, http.stream("POST", f"{url}/streamed/", content=_chunks(3)) as response:
            statuses.append(response.status_code)
            for chunk in response.iter_raw():
                body += chunk
    assert statuses in ([], [200]) and b"started".startswith(bytes(body)), (statuses, body)


def _raw(url: str, request: bytes, answers: int) -> bytes:
    """Send bytes as they are; read until ``answers`` status lines came (or the server closed)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        while answer.count(b"HTTP/1.1 ") < answers or not answer.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def test_bytes_sent_past_a_declared_length_within_the_limit_are_not_its_body(url: str) -> None:
    """A declared length within the limit is read uncounted: the server frames the body by it, so the bytes past
    it are the next request, checked on its own."""
    head = b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"  # a Host the server answers for (api/host_check.py)
    past = head + b"Content-Length: %d\r\n\r\n" % (LIMIT_BYTES * 5) + b"y" * (LIMIT_BYTES * 5)
    answer = _raw(url, head + b"Content-Length: 10\r\n\r\n" + b"x" * 10 + past, 2)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.count(b"HTTP/1.1 ") == 2
    assert b'{"bytes":10}' in answer and b"HTTP/1.1 413 " in answer and answer.count(b'"bytes"') == 1
    chunked = b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked += b"".join(b"%x\r\n%s\r\n" % (400, b"x" * 400) for _ in range(3)) + b"0\r\n\r\n"
    assert _raw(url, chunked, 1).startswith(b"HTTP/1.1 413 ")  # an undeclared length is still counted
