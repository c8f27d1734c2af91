"""Serve a simulator's ASGI app on loopback for the length of a ``with`` block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp

from inzira.api.server import LOOPBACK, ServedApp, serve_in_thread

__all__ = ["LOOPBACK", "ServedApp", "serve_app"]


@contextmanager
def serve_app(app: ASGIApp, *, host: str = LOOPBACK, port: int = 0, start_timeout_ms: int = 5_000,
              stop_timeout_ms: int = 5_000, allowed_hosts: tuple[str, ...] = ()) -> Iterator[ServedApp]:
    """Serve ``app`` until the block ends; port 0 picks a free port (``served.port``). ``allowed_hosts``: the
    host names it answers for besides this machine's (``inzira.api.host_check``)."""
    served, _ = serve_in_thread(app, host, port, start_timeout_ms=start_timeout_ms, stop_timeout_ms=stop_timeout_ms,
                                allowed_hosts=allowed_hosts)
    try:
        yield served
    finally:
        served.stop()
