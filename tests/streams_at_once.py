"""Many requests on their own connections, all sent before any answer is read: a limit checked in a route must
hold for requests arriving together, not only one after another."""

from __future__ import annotations

import socket
from collections.abc import Sequence

HEAD_BYTES_MAX = 4096


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
        return [_status(sock) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def _status(sock: socket.socket) -> int:
    head = b""
    while b"\r\n" not in head and len(head) < HEAD_BYTES_MAX:
        chunk = sock.recv(HEAD_BYTES_MAX)
        if not chunk:
            break
        head += chunk
    return int(head.split(b" ", 2)[1])
