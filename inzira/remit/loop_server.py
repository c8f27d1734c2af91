"""An ASGI app served by uvicorn on an event loop that already runs (the remittance service's own).

The socket is bound before the server starts, so port 0 gives a port known at once. Stopping ends the
server within bounded time, cancelling what is still open after the graceful period. As with
``inzira.api.server``, the app is wrapped in ``HostCheck`` for the bind address (DNS rebinding).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from typing import Any

import uvicorn

from inzira.api.host_check import HostCheck

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
GRACEFUL_S = 2


class LoopServer:
    def __init__(self, run_on_loop: Callable[[Coroutine[Any, Any, Any]], "Future[Any]"], app: Any, host: str,
                 port: int, allowed_hosts: tuple[str, ...] = ()) -> None:
        checked = HostCheck(app, host, allowed_hosts)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind((host, port))
        except OSError:
            self._sock.close()
            raise
        self.host = host
        self.port: int = self._sock.getsockname()[1]
        # No proxy in front: forwarded headers are nobody's to trust, as in inzira.api.server without
        # trusted proxies (uvicorn's default would trust them from 127.0.0.1).
        config = uvicorn.Config(checked, log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=GRACEFUL_S, proxy_headers=False)
        self.server = uvicorn.Server(config)
        self._app = app
        self._done = run_on_loop(self.server.serve(sockets=[self._sock]))
        started = run_on_loop(self._started())
        started.result(START_TIMEOUT_S)

    async def _started(self) -> None:
        while not self.server.started:
            if self._done.done():
                self._done.result()  # raises what stopped it
                raise RuntimeError("the server stopped before it started")
            await asyncio.sleep(0.01)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        for hook in getattr(getattr(self._app, "state", None), "on_server_stop", ()):
            hook()
        self.server.should_exit = True
        try:
            self._done.result(STOP_TIMEOUT_S)
        except TimeoutError:
            self.server.force_exit = True
            self._done.result(STOP_TIMEOUT_S)
        finally:
            self._sock.close()
