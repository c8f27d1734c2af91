"""Serve an ASGI app with uvicorn on a background thread (tests, ``inzira demo``), and stop it cleanly.

The socket is bound here, before uvicorn starts, so port 0 yields a port that is known at once and that no
other process can take in between. Uvicorn's graceful stop waits for open responses, and an event stream
never ends by itself: so before stopping, the callables in ``app.state.on_server_stop`` (if any) are called
to end them (``create_app`` registers its event streams there, which stay closed: serve a new app to serve
again; other long responses can join).

TLS is a reverse proxy's job (nginx, Caddy, a load balancer): list the proxy's address in
``trusted_proxies`` and only then are its ``X-Forwarded-Proto`` and ``X-Forwarded-For`` believed (the
request's scheme and client become the original ones, so session cookies are Secure over HTTPS and
``/metrics`` sees the real client); from anyone else these headers are ignored.

Every app served here is wrapped, outermost, in ``inzira.api.host_check.HostCheck`` for the address it binds:
a request whose Host names no host this server answers for (DNS rebinding) is refused before the app sees it.
``allowed_hosts``: the names it answers for besides the defaults (see that module).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence

import uvicorn
from starlette.types import ASGIApp

from inzira.api.host_check import HostCheck

STOP_HOOKS = "on_server_stop"  # the app.state attribute holding callables run before the server stops

LOOPBACK = "127.0.0.1"
_POLL_S = 0.01  # step while waiting for the server to come up


class ServedApp:
    """A running server: ``stop()`` (or leaving a ``with`` block) shuts it down within bounded time."""

    def __init__(self, app: ASGIApp, server: uvicorn.Server, thread: threading.Thread, sock: socket.socket,
                 host: str, port: int, stop_timeout_ms: int) -> None:
        self.app = app
        self.server = server
        self.thread = thread
        self.host = host
        self.port = port
        self._sock = sock
        self._stop_timeout_s = stop_timeout_ms / 1000

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """End long responses, stop taking connections, let open requests finish (up to the graceful
        timeout), then exit."""
        for hook in getattr(getattr(self.app, "state", None), STOP_HOOKS, ()):
            hook()
        self.server.should_exit = True
        self.thread.join(self._stop_timeout_s)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(self._stop_timeout_s)
        self._sock.close()

    def __enter__(self) -> "ServedApp":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(app: ASGIApp, host: str = LOOPBACK, port: int = 0, *, start_timeout_ms: int = 10_000,
                    stop_timeout_ms: int = 5_000, graceful_s: int = 2,
                    trusted_proxies: Sequence[str] = (),
                    allowed_hosts: Sequence[str] = ()) -> tuple[ServedApp, int]:
    """Start serving ``app``; return once it accepts connections. Long requests (event streams) still open
    ``graceful_s`` seconds after a stop are cancelled. ``trusted_proxies``, ``allowed_hosts``: see the module."""
    checked = HostCheck(app, host, allowed_hosts)  # an unusable entry is refused before anything is bound
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    bound_port: int = sock.getsockname()[1]
    config = uvicorn.Config(checked, log_level="warning", access_log=False, lifespan="on",
                            timeout_graceful_shutdown=graceful_s, proxy_headers=bool(trusted_proxies),
                            forwarded_allow_ips=list(trusted_proxies) or None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"api:{bound_port}", daemon=True)
    served = ServedApp(app, server, thread, sock, host, bound_port, stop_timeout_ms)
    thread.start()
    deadline = time.monotonic() + start_timeout_ms / 1000
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            served.stop()
            raise RuntimeError(f"the API server did not start within {start_timeout_ms} ms (see its log)")
        time.sleep(_POLL_S)
    return served, bound_port
