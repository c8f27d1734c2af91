"""HEAD answered like GET on the pages' routes: browsers, link checkers and uptime probes send it, and FastAPI's
routes, unlike Starlette's, take only the methods they name (405 otherwise).

The handler runs as for GET; the server sends the status and headers (Content-Length included) and drops the
body (uvicorn does so for every HEAD). Event streams are left out: a HEAD would take one of their places.
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi import APIRouter
from fastapi.routing import APIRoute


def answer_head(router: APIRouter, streams: Collection[str] = ()) -> APIRouter:
    """Add HEAD to every GET route of ``router`` not in the OpenAPI document (where it would be a second
    operation) and whose path is not one of ``streams``; return ``router``."""
    for route in router.routes:
        if (isinstance(route, APIRoute) and "GET" in route.methods and not route.include_in_schema
                and route.path not in streams):
            route.methods.add("HEAD")
    return router
