"""Free TCP ports on loopback, reserved together so one cluster never gets the same port twice."""

from __future__ import annotations

import socket

# A cluster needs three ports per server; this bounds a request to a sane cluster size.
PORTS_MAX = 64


def reserve_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """Ports that were free a moment ago, all distinct.

    The kernel picks each one (bind to port 0) while the others are still held, so the list has no
    duplicates. A port can still be taken by another process between this call and the server's own
    bind; the NATS cluster manager and a network's peers (``LocalNetwork.up``) detect that (the server exits)
    and start again on new ports.
    """
    if not 0 < count <= PORTS_MAX:
        raise ValueError(f"count must be in 1..{PORTS_MAX}, got {count}")
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            held.append(sock)
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in held]
    finally:
        for sock in held:
            sock.close()


def ports_free(ports: list[int], host: str = "127.0.0.1") -> bool:
    """Whether every port can be listened on now (bound as the servers bind them, with SO_REUSEADDR, so a port
    whose last connections linger in TIME_WAIT after a stop counts as free)."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError:
                return False
    return True
