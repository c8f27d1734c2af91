"""A real uvicorn server on 127.0.0.1 in a thread, for tests that speak HTTP (and for the browser)."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator

import uvicorn
from fastapi import FastAPI

from inzira.web.explorer import explorer_router, mount_static

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
POLL_S = 0.02


def explorer_app(runtime, public_accounts: bool = True) -> FastAPI:
    """Only the explorer: its router and the static files, as an app would mount them."""
    app = FastAPI()
    app.include_router(explorer_router(runtime, public_accounts=public_accounts))
    mount_static(app)
    return app


@contextmanager
def running_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free port; yields its base URL; stops the server (bounded) on the way out."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("uvicorn did not start in time")
        time.sleep(POLL_S)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_S)
