"""DNS rebinding: a page on evil.example whose name re-resolves to 127.0.0.1 reads a local server's answers as
same-origin. Every real server (``serve_in_thread``, ``LoopServer``) refuses a Host it does not answer for,
before the app sees the request: 400 problem+json, code 3042, nothing done."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

import inzira
from inzira.api.host_check import HostCheck, allowed_host_refusal
from inzira.api.server import serve_in_thread
from inzira.remit.loop_server import LoopServer

HOST_REFUSED = 3042
REFUSED = ["evil.example", "evil.example:80", "localhost.evil.example", "sub.localhost", "127.0.0.1.evil.example",
           "0.0.0.0", "10.0.0.5", "[::ffff:127.0.0.1]", "localhost:80:80", "[::1", "localhost:8x", "",
           "2130706433", "127.1", "local host"]
LOOPBACK = ["localhost", "LocalHost:8000", "localhost.", "127.0.0.1", "127.0.0.1:1", "127.9.8.7:65535", "[::1]",
            "[::1]:8000", "[0:0::1]"]


def _app(hits: list[str]) -> FastAPI:
    app = FastAPI()

    @app.post("/hit")
    async def hit() -> dict[str, int]:
        hits.append("hit")  # the side effect a refused request must not have
        return {"hits": len(hits)}

    return app


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[int, list[str]]]:
    hits: list[str] = []
    server, port = serve_in_thread(_app(hits), allowed_hosts=("pay.example.rw", "10.20.0.7"))
    try:
        yield port, hits
    finally:
        server.stop()


def _raw(port: int, head: bytes) -> tuple[int, bytes, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    headers, _, body = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), headers.lower(), body


def _post(port: int, host: str) -> httpx.Response:
    return httpx.post(f"http://127.0.0.1:{port}/hit", headers={"Host": host}, timeout=10)


def _is_refusal(response: httpx.Response) -> bool:
    return (response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
            and response.json()["code"] == HOST_REFUSED and response.json()["instance"] == "/hit")


@pytest.mark.parametrize("host", REFUSED)
def test_a_host_that_is_not_ours_is_refused_with_no_side_effect(served, host: str) -> None:
    port, hits = served
    before = len(hits)
    status, headers, body = _raw(port, b"POST /hit HTTP/1.1\r\nHost: " + host.encode() + b"\r\n"
                                 b"Content-Length: 0\r\n\r\n")
    assert status == 400, (host, status, body)
    assert b"content-type: application/problem+json" in headers and b"connection: close" in headers
    assert json.loads(body)["code"] == HOST_REFUSED
    assert len(hits) == before


@pytest.mark.parametrize("host", [*LOOPBACK, "pay.example.rw", "PAY.example.rw.:443", "10.20.0.7:80"])
def test_loopback_names_and_the_configured_ones_pass(served, host: str) -> None:
    port, hits = served
    before = len(hits)
    response = _post(port, host)
    assert response.status_code == 200, (host, response.text)
    assert len(hits) == before + 1


def test_the_default_client_host_passes_and_a_browser_rebinding_is_refused(served) -> None:
    port, _ = served
    assert httpx.post(f"http://127.0.0.1:{port}/hit", timeout=10).status_code == 200
    assert httpx.post(f"http://localhost:{port}/hit", timeout=10).status_code == 200
    assert _is_refusal(_post(port, f"evil.example:{port}"))


@pytest.mark.parametrize("head", [
    b"POST /hit HTTP/1.0\r\nContent-Length: 0\r\n\r\n",  # no Host at all
    b"POST /hit HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nContent-Length: 0\r\n\r\n",
    b"POST /hit HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
    b"POST /hit HTTP/1.1\r\nHost: \xc3\xa9vil.example\r\nContent-Length: 0\r\n\r\n",
])
def test_a_missing_repeated_or_undecodable_host_is_refused(served, head: bytes) -> None:
    port, hits = served
    before = len(hits)
    status, _headers, body = _raw(port, head)
    assert status == 400, body
    assert len(hits) == before


def test_a_server_on_every_address_takes_ip_literals_and_its_configured_names_only() -> None:
    hits: list[str] = []
    checked = HostCheck(_app(hits), "0.0.0.0", ("pay.example.rw",))  # noqa: S104 (no socket: the policy only)

    async def post(host: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=checked)
        async with httpx.AsyncClient(transport=transport, base_url="http://x") as client:
            return await client.post("/hit", headers={"Host": host})

    for host in ["192.0.2.10:8000", "10.0.0.5", "[2001:db8::1]:443", "0.0.0.0:8000", "localhost", "127.0.0.1",
                 "pay.example.rw"]:
        assert asyncio.run(post(host)).status_code == 200, host
    for host in ["evil.example", "testserver", "pay.example.rw.evil.example", "[2001:db8::1%eth0]"]:
        assert _is_refusal(asyncio.run(post(host))), host
    assert len(hits) == 7


def test_a_server_bound_to_a_name_answers_for_that_name() -> None:
    checked = HostCheck(_app([]), "inzira.lan")

    async def status(host: str) -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=checked), base_url="http://x") as client:
            return (await client.post("/hit", headers={"Host": host})).status_code

    assert asyncio.run(status("inzira.lan:8000")) == 200
    assert asyncio.run(status("evil.example")) == 400


@pytest.mark.parametrize("entry", ["", "*", "*.example.rw", "pay.example.rw:443", "http://pay.example.rw",
                                   "-pay.example.rw", "pay..example.rw", "pay_example.rw", "a" * 64 + ".rw",
                                   "pay.example.rw/", "évil.example", "[10.0.0.5]", "x" * 254])
def test_an_unusable_allowed_hosts_entry_is_refused_by_name(entry: str) -> None:
    assert allowed_host_refusal(entry)
    with pytest.raises(ValueError, match="allowed_hosts"):
        HostCheck(_app([]), "127.0.0.1", (entry,))


@pytest.mark.parametrize("entry", ["pay.example.rw", "PAY.Example.RW.", "10.0.0.5", "::1", "[2001:db8::1]", "a-b.c"])
def test_a_usable_allowed_hosts_entry(entry: str) -> None:
    assert allowed_host_refusal(entry) is None



def test_a_host_value_is_read_once_and_a_flood_of_values_changes_no_verdict(monkeypatch) -> None:
    """Every request carries a Host: an address literal is read once per value (~10 µs each time otherwise);
    the values kept are bounded, so made-up ones only push the others out."""
    from inzira.api import host_check

    read: list[str] = []
    real_ip = host_check._ip

    def counting_ip(text: str):
        read.append(text)
        return real_ip(text)

    monkeypatch.setattr(host_check, "_ip", counting_ip)
    check = HostCheck(_app([]), "127.0.0.1", ("pay.example.rw",))
    assert [check.admits(b"127.0.0.1:8000") for _ in range(3)] == [True] * 3
    assert read == ["127.0.0.1"]
    flood = [f"10.0.{i // 256}.{i % 256}:80".encode() for i in range(3 * host_check.VERDICTS_KEPT)]
    assert not any(check.admits(value) for value in flood)
    assert check.admits(b"127.0.0.1:8000") and check.admits(b"PAY.example.rw") and not check.admits(b"evil.example")

def test_the_loop_server_refuses_a_host_that_is_not_ours() -> None:
    hits: list[str] = []
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        server = LoopServer(lambda coro: asyncio.run_coroutine_threadsafe(coro, loop), _app(hits), "127.0.0.1", 0)
        try:
            assert _is_refusal(_post(server.port, "evil.example"))
            assert _post(server.port, f"127.0.0.1:{server.port}").status_code == 200
            assert hits == ["hit"]
        finally:
            server.stop()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_every_server_the_product_runs_is_made_where_the_host_check_is_added() -> None:
    """A uvicorn server made anywhere else would serve its app unchecked (the app factories add no check)."""
    root = Path(inzira.__file__).parent
    making = {path.relative_to(root).as_posix() for path in root.rglob("*.py")
              if re.search(r"uvicorn\.(Config|Server|run)\b", path.read_text(encoding="utf-8"))}
    assert making == {"api/server.py", "remit/loop_server.py"}


def test_a_websocket_handshake_from_a_rebound_host_is_closed_before_the_app_sees_it() -> None:
    seen: list[str] = []
    sent: list[dict] = []

    async def app(scope, receive, send) -> None:
        seen.append(scope["type"])

    async def receive() -> dict:
        return {"type": "websocket.connect"}

    async def send(message: dict) -> None:
        sent.append(message)

    checked = HostCheck(app, "127.0.0.1")
    asyncio.run(checked({"type": "websocket", "path": "/ws", "headers": [(b"host", b"evil.example")]}, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008}] and seen == []
    asyncio.run(checked({"type": "websocket", "path": "/ws", "headers": [(b"host", b"localhost:1")]}, receive, send))
    asyncio.run(checked({"type": "lifespan"}, receive, send))
    assert seen == ["websocket", "lifespan"]
