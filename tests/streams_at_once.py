"""Many requests on their own connections, all sent before any answer is read: a limit checked in a route must
hold for requests arriving together, not only one after another."""

from __future__ import annotations

import socket

HEAD_BYTES_MAX = 4096


def statuses_at_once(host: str, port: int, request: bytes, count: int, timeout_s: float) -> list[int]:
    """The status of each of ``count`` copies of ``request`` (raw HTTP/1.1), sent together; the connections are
    closed before returning."""
    socks = [socket.create_connection((host, port), timeout=timeout_s) for _ in range(count)]
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
