"""Run an ASGI app with uvicorn on a loopback port in a background thread, and stop it cleanly."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"
# Polling step while waiting for the server to come up or go down.
_WAIT_STEP_S = 0.01


@dataclass(frozen=True, slots=True)
class ServedApp:
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextmanager
def serve_app(
    app: ASGIApp,
    *,
    host: str = LOOPBACK,
    port: int = 0,
    start_timeout_ms: int = 5_000,
    stop_timeout_ms: int = 5_000,
) -> Iterator[ServedApp]:
    """Serve ``app`` until the block ends; port 0 lets the kernel pick a free port (read it from the result).

    We bind the socket ourselves so the port is known before uvicorn starts and no other process can take it
    in between.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound_port: int = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=max(1, stop_timeout_ms // 1000),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn:{bound_port}", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, start_timeout_ms)
        yield ServedApp(host, bound_port)
    finally:
        server.should_exit = True
        thread.join(stop_timeout_ms / 1000)
        if thread.is_alive():
            server.force_exit = True
            thread.join(stop_timeout_ms / 1000)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread, timeout_ms: int) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server thread exited before the server started (see its log)")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the server did not start within {timeout_ms} ms")
        time.sleep(_WAIT_STEP_S)
