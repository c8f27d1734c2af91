"""What a hostile peer tries against an attempt's deadline (inzira.http.deadline, the asyncio flavour's
timeouts): a slow name resolution, a name of many unreachable addresses, a TLS handshake that never ends, a
TLS connection opened just past the deadline, and a connection cut by the deadline going back to the pool;
and what an owner failing to close does to a server's stop (create_app's lifespan). Each runs on real
loopback sockets, on both flavours where both apply; name resolution is faked (socket.getaddrinfo), as no
test can own the resolver's name server."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI

from inzira.api.app import _lifespan
from inzira.http.closing import CLOSE_TIMEOUT_S
from inzira.api.server import serve_in_thread
from inzira.http import AsyncHttpClient, HttpClient, HttpProblem
from tests.http.conftest import BoundedCall
from tests.http.test_client import Blocking, OnLoop

TIMEOUT_MS = 100  # an attempt: 3 timeouts, 0.3 s
ENDS_S = 1.5  # 5 attempts' worth: room for a loaded machine, far short of what the peer would hold
PEER_HOLDS_S = 10.0  # how long each hostile peer would hold the call, were it let
DRIP_INTERVAL_S = 0.03
SOCKET_TIMEOUT_S = 5.0
BLOCKING = "blocking"
ASYNCIO = "asyncio"
_real_getaddrinfo = socket.getaddrinfo


def _make(flavour: str, base_url: str, **settings: Any) -> Blocking | OnLoop:
    return Blocking(HttpClient(base_url, **settings)) if flavour == BLOCKING \
        else OnLoop(AsyncHttpClient(base_url, **settings))


def _no_answer(raised: BaseException | None) -> bool:
    return isinstance(raised, HttpProblem) and (raised.status, raised.code, raised.answered) == (503, 2003, False)


class RawServer:
    """A loopback TCP server running ``handle(conn, server)`` on a thread per connection; counts connections."""

    def __init__(self, handle: Callable[[socket.socket, RawServer], None]) -> None:
        self.handle = handle
        self.connections = 0
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="raw-attacker", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(SOCKET_TIMEOUT_S)
            try:
                self.handle(conn, self)
            except OSError:  # the client hung up
                pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self._thread.join(SOCKET_TIMEOUT_S)


@contextmanager
def raw_server(handle: Callable[[socket.socket, RawServer], None]) -> Iterator[RawServer]:
    server = RawServer(handle)
    try:
        yield server
    finally:
        server.close()


def _request_head(conn: socket.socket) -> bytes:
    """The next request's head (request line and headers), b"" once the client closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65_536)
        if not more:
            return b""
        data += more
    return data


def _drip(conn: socket.socket, server: RawServer, piece: bytes) -> None:
    deadline = time.monotonic() + PEER_HOLDS_S
    while not server.stop.is_set() and time.monotonic() < deadline:
        conn.sendall(piece)
        time.sleep(DRIP_INTERVAL_S)


def _resolving(monkeypatch: pytest.MonkeyPatch, host: str, resolve: Callable[[int], list[tuple[Any, ...]]]) -> None:
    """For the rest of the test, ``host`` resolves through ``resolve(port)``; any other name as usual."""
    def getaddrinfo(name: Any, port: Any, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if name == host:
            return resolve(int(port))
        return _real_getaddrinfo(name, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize("flavour", [BLOCKING, ASYNCIO])
def test_a_slow_name_resolution_ends_at_the_attempts_deadline(flavour: str, monkeypatch: pytest.MonkeyPatch) -> None:
    host = "slow-dns.inzira.test"
    released = threading.Event()

    def slow(port: int) -> list[tuple[Any, ...]]:  # the peer's name server, answering after PEER_HOLDS_S
        released.wait(PEER_HOLDS_S)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    _resolving(monkeypatch, host, slow)
    client = _make(flavour, f"http://{host}:9", timeout_ms=TIMEOUT_MS)
    try:
        run = BoundedCall(lambda: client.call("GET", "/ok"), ENDS_S)
        released.set()  # the resolver's thread (the caller's, or the loop's executor) may now end
        run.join(PEER_HOLDS_S)
    finally:
        client.close()
    assert run.ended_in_time, f"the call still ran after {ENDS_S} s (name resolution unbounded)"
    assert _no_answer(run.raised), run.raised


@contextmanager
def _black_hole() -> Iterator[int]:
    """A port on loopback whose connections never complete: its listener's accept queue is full, so the
    kernel drops each new SYN (as a host that is down, or a firewall, would)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(filler)
        yield port
    finally:
        listener.close()  # connects still to come are refused at once
        for filler in fillers:
            filler.close()


@pytest.mark.parametrize(("addresses", "flavour"), [
    (1, BLOCKING), (1, ASYNCIO),  # connect_timeout_ms past the attempt: the attempt's deadline still holds it
    (40, BLOCKING), (40, ASYNCIO)])  # each address within the time then left, not each the whole of it
def test_a_connect_to_an_unreachable_host_ends_at_the_attempts_deadline(addresses: int, flavour: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    host = "many-addresses.inzira.test"
    with _black_hole() as port:
        unreachable = [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
        _resolving(monkeypatch, host, lambda _port: unreachable * addresses)
        client = _make(flavour, f"http://{host}:{port}", timeout_ms=TIMEOUT_MS, connect_timeout_ms=5_000)
        run = BoundedCall(lambda: client.call("GET", "/ok"), ENDS_S)
    # the hole closed as _black_hole ended: any address still to try is refused at once
    run.join(PEER_HOLDS_S)
    client.close()
    assert run.ended_in_time, f"the call still ran after {ENDS_S} s ({addresses} unreachable addresses)"
    assert _no_answer(run.raised), run.raised


def _tls_handshake_dripped(conn: socket.socket, server: RawServer) -> None:
    conn.recv(65_536)  # the ClientHello
    conn.sendall(b"\x16\x03\x03\x40\x00")  # a handshake record of 16 kB is coming...
    _drip(conn, server, b"\x00")  # ...a byte at a time


@pytest.mark.parametrize("flavour", [BLOCKING, ASYNCIO])
def test_a_trickled_tls_handshake_ends_at_the_attempts_deadline(flavour: str) -> None:
    """Each byte well within the timeouts (connect_timeout_ms 5 s), the handshake never done."""
    with raw_server(_tls_handshake_dripped) as server:
        client = _make(flavour, f"https://127.0.0.1:{server.port}", timeout_ms=TIMEOUT_MS, connect_timeout_ms=5_000)
        try:
            run = BoundedCall(lambda: client.call("GET", "/ok"), ENDS_S)
            server.stop.set()
            run.join(PEER_HOLDS_S)
        finally:
            client.close()
    assert run.ended_in_time, f"the call still ran after {ENDS_S} s (TLS handshake unbounded)"
    assert _no_answer(run.raised), run.raised


# Answers cut by the attempt's deadline, each on a connection the peer then keeps trickling on.
CUT = {
    b"/cut-head": (b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a"),
    b"/cut-body": (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", b" "),
    b"/cut-refusal": (b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
                      b" "),
}
FINE = b'{"fine": true}'


def _cut_or_fine(conn: socket.socket, server: RawServer) -> None:
    while head := _request_head(conn):
        path = head.split(b" ", 2)[1]
        if path in CUT:
            start, piece = CUT[path]
            conn.sendall(start)
            _drip(conn, server, piece)  # the stale bytes a reused connection would read as its next answer
            return
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(FINE), FINE))


@pytest.mark.parametrize("flavour", [BLOCKING, ASYNCIO])
def test_a_connection_cut_by_the_deadline_never_goes_back_to_the_pool(flavour: str) -> None:
    """The next call to the same peer gets a new connection, not one with the cut answer's rest still coming."""
    with raw_server(_cut_or_fine) as server:
        client = _make(flavour, f"http://127.0.0.1:{server.port}", timeout_ms=TIMEOUT_MS, connections_max=1)
        try:
            first = BoundedCall(lambda: client.call("GET", "/fine"), ENDS_S)  # a connection in the pool
            cuts = [BoundedCall(lambda: client.call("GET", "/cut-head"), ENDS_S),
                    BoundedCall(lambda: client.call("GET", "/cut-body"), ENDS_S),
                    BoundedCall(lambda: client.lines("/cut-refusal"), ENDS_S)]  # a stream's refusal, read whole
            answers: list[object] = []
            after = BoundedCall(lambda: answers.append(client.call("GET", "/fine")), ENDS_S)
            server.stop.set()
        finally:
            client.close()
    assert first.ended_in_time and first.raised is None, first.raised
    for cut in cuts:
        assert cut.ended_in_time and _no_answer(cut.raised), cut.raised
    assert after.ended_in_time and after.raised is None and answers == [{"fine": True}], after.raised
    assert server.connections == 4  # the first call's connection carried the first cut; each cut its own


def test_a_tls_connection_opened_past_the_deadline_is_closed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The connect ends just as the deadline passes (a race, made certain here by holding the connected socket
    back until past it): the plain connection is closed then, not kept alive by the caller's problem, whose
    traceback holds it (httpcore closes a connection only when its own handshake fails)."""
    hung_up = threading.Event()
    connect = socket.create_connection

    def connected_at_the_deadline(*args: Any, **kwargs: Any) -> socket.socket:
        sock = connect(*args, **kwargs)
        time.sleep(3 * TIMEOUT_MS / 1000 + 0.1)
        return sock

    def wait_for_hang_up(conn: socket.socket, server: RawServer) -> None:
        if conn.recv(65_536) == b"":  # no ClientHello ever comes: only the end of the connection
            hung_up.set()

    with raw_server(wait_for_hang_up) as server:
        monkeypatch.setattr(socket, "create_connection", connected_at_the_deadline)

        def open_stream() -> None:
            with client.stream("GET", "/events"):
                pass

        with HttpClient(f"https://127.0.0.1:{server.port}", timeout_ms=TIMEOUT_MS) as client:
            run = BoundedCall(open_stream, ENDS_S)  # run.raised: the caller's HttpProblem, kept
            closed_at_once = hung_up.wait(0.5)
        problem, run.raised = run.raised, None
        assert run.ended_in_time and _no_answer(problem), problem
        assert server.connections == 1
        del problem  # the socket goes with the traceback
        assert hung_up.wait(SOCKET_TIMEOUT_S)
    assert closed_at_once, "the peer's connection stayed open as long as the caller kept the problem"


def test_a_server_stopping_awaits_every_loop_end_closer_on_its_loop_even_after_one_fails(
        caplog: pytest.LogCaptureFixture) -> None:
    """create_app's lifespan: an owner failing to close, or hanging in its aclose, neither stops the others
    from closing theirs nor the server from stopping within bounded time."""
    app = FastAPI(lifespan=_lifespan)
    closed: list[str] = []

    async def fails() -> None:
        raise RuntimeError("this pool would not close")

    async def hangs() -> None:
        await asyncio.sleep(PEER_HOLDS_S)

    async def closes() -> None:
        closed.append(threading.current_thread().name)

    app.state.on_loop_end = [fails, hangs, closes]
    served, port = serve_in_thread(app)
    started = time.monotonic()
    served.stop()
    assert time.monotonic() - started < CLOSE_TIMEOUT_S + SOCKET_TIMEOUT_S and not served.thread.is_alive()
    assert closed == [f"api:{port}"]  # on the server's own loop, as its lifespan ends
    assert "this pool would not close" in caplog.text and "TimeoutError" in caplog.text
