"""The blocking flavour's deadline on a whole attempt. httpx bounds each read, write and connect by a timeout,
never an exchange: a peer trickling its status line or headers a byte at a time, each within the timeout,
would hold the calling thread without end. So the client's connections run on a network backend whose every
connect, write and read is given no more than the time left before the deadline of the attempt under way in
this thread (``attempt_until``), and fails at once (httpcore's timeout, as httpx's own) once it has passed.
Outside an attempt (a stream being read after its opening) the timeouts stay as they were.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from inzira.http.base import tls_context

# A write is given the time left piece by piece: one send of a large body could otherwise wait a whole
# timeout per slow piece.
WRITE_PIECE_BYTES = 16 * 1024
# getaddrinfo takes no timeout: names are resolved on these threads and waited for within the time left. A
# resolver that never answers holds one of them; callers after that wait in the queue, each to its deadline.
RESOLVERS_MAX = 4
ADDRESSES_MAX = 16  # of a name, tried in turn, each within the time then left
_resolvers = ThreadPoolExecutor(RESOLVERS_MAX, thread_name_prefix="inzira-resolve")
_deadline_s: ContextVar[float | None] = ContextVar("inzira_http_attempt_deadline_s", default=None)


@contextmanager
def attempt_until(deadline_s: float) -> Iterator[None]:
    """Every network wait of this thread, within the block, ends by ``deadline_s`` (``time.monotonic``)."""
    token = _deadline_s.set(deadline_s)
    try:
        yield
    finally:
        _deadline_s.reset(token)


def _clamped(timeout_s: float | None, late: type[Exception]) -> float | None:
    """``timeout_s``, or the time left before the deadline if that is shorter; ``late`` once it has passed."""
    deadline_s = _deadline_s.get()
    if deadline_s is None:
        return timeout_s
    left_s = deadline_s - time.monotonic()
    if left_s <= 0:
        raise late("the attempt's deadline has passed")
    return left_s if timeout_s is None else min(timeout_s, left_s)


class _BoundedStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        for start in range(0, len(buffer), WRITE_PIECE_BYTES):
            self._stream.write(buffer[start:start + WRITE_PIECE_BYTES], _clamped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        try:
            timeout = _clamped(timeout, httpcore.ConnectTimeout)
        except httpcore.ConnectTimeout:
            self._stream.close()  # httpcore closes a connection only when its own handshake fails
            raise
        return _BoundedStream(self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _BoundedBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        """Each address of ``host`` in turn, each given the time then left (the socket module's own loop
        would give every address the whole of it)."""
        failure: Exception | None = None
        for address in _addresses(host, port, _clamped(timeout, httpcore.ConnectTimeout)):
            left_s = _clamped(timeout, httpcore.ConnectTimeout)
            try:
                return _BoundedStream(self._backend.connect_tcp(address, port, left_s, local_address, socket_options))
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _BoundedStream(self._backend.connect_unix_socket(path, _clamped(timeout, httpcore.ConnectTimeout),
                                                                socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def _addresses(host: str, port: int, timeout_s: float | None) -> list[str]:
    """The addresses ``host`` names (itself, when it is one), resolved within ``timeout_s``."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    resolving = _resolvers.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        found = resolving.result(timeout_s)
    except FutureTimeout:
        resolving.cancel()
        raise httpcore.ConnectTimeout(f"resolving {host} took longer than the attempt's time left") from None
    except OSError as exc:
        raise httpcore.ConnectError(f"resolving {host}: {exc}") from exc
    return [str(info[4][0]) for info in found[:ADDRESSES_MAX]]


def bounded_transport(limits: httpx.Limits) -> httpx.HTTPTransport:
    """httpx's transport (HTTP/1.1, the shared TLS context, no proxy) with its pool on the bounded backend.
    httpx does not let a caller choose the backend, so its pool is replaced: if httpx no longer keeps one
    there, this refuses to build a client that would be silently unbounded."""
    transport = httpx.HTTPTransport(verify=tls_context(), trust_env=False, limits=limits)
    if not isinstance(getattr(transport, "_pool", None), httpcore.ConnectionPool):
        raise RuntimeError(f"httpx {httpx.__version__} keeps no httpcore.ConnectionPool in HTTPTransport._pool: "
                           "inzira/http/deadline.py cannot bound its attempts")
    transport._pool = httpcore.ConnectionPool(
        ssl_context=tls_context(), max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections, keepalive_expiry=limits.keepalive_expiry,
        http1=True, http2=False, network_backend=_BoundedBackend())
    return transport
