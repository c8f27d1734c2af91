"""The pages' static files (CSS, JS), served by the app itself: no CDN, nothing fetched from elsewhere."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"
STATIC_ROUTE_NAME = "static"


def mount_static(app: FastAPI) -> None:
    """Serve ``inzira/web/static`` at ``/static`` (once per app)."""
    if any(getattr(route, "name", None) == STATIC_ROUTE_NAME for route in app.routes):
        return
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name=STATIC_ROUTE_NAME)
