"""A real uvicorn server on 127.0.0.1 in a thread, for tests that speak HTTP (and for the browser)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from fastapi import FastAPI

from inzira.api.server import serve_in_thread
from inzira.web.explorer import explorer_router, mount_static


def explorer_app(runtime, public_accounts: bool = True) -> FastAPI:
    """Only the explorer: its router and the static files, as an app would mount them."""
    app = FastAPI()
    app.include_router(explorer_router(runtime, public_accounts=public_accounts))
    mount_static(app)
    return app


@contextmanager
def running_server(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` on a free port; yields its base URL; stops the server (bounded) on the way out."""
    served, _ = serve_in_thread(app)
    try:
        yield served.base_url
    finally:
        served.stop()
