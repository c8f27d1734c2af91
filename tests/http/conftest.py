"""A real HTTP server on loopback that answers as the services the product calls do, and counts the calls."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from inzira.api.server import serve_in_thread

PROBLEM = "application/problem+json"


def other_side(hits: Counter[str]) -> FastAPI:
    app = FastAPI()

    @app.get("/ok")
    async def ok(request: Request) -> dict[str, object]:
        hits["ok"] += 1
        return {"answer": 42, "auth": request.headers.get("authorization", "")}

    @app.post("/echo")
    async def echo(request: Request) -> Response:
        hits["echo"] += 1
        return Response(await request.body(), 201, media_type="application/json")

    @app.get("/refused")
    async def refused() -> Response:
        return JSONResponse({"type": "urn:inzira:problem:3204", "title": "party not found", "status": 404,
                             "detail": "no FSP serves +250788000000", "code": 3204, "refundable_minor": 7},
                            404, media_type=PROBLEM)

    @app.get("/limited")
    async def limited() -> Response:
        return JSONResponse({"detail": "slow down", "code": 3041}, 429, {"Retry-After": "60"})

    @app.get("/plain-error")
    async def plain_error() -> Response:
        return Response("gateway exploded", 500)

    @app.api_route("/flaky", methods=["GET", "POST"])
    async def flaky(request: Request) -> Response:
        hits[f"flaky {request.method}"] += 1
        if hits[f"flaky {request.method}"] < 3:
            return JSONResponse({"detail": "busy", "code": 2005}, 503)
        return JSONResponse({"after": hits[f"flaky {request.method}"]})

    @app.get("/large")
    async def large() -> Response:
        return Response(b"x" * 10_000, media_type="text/plain")

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(2)
        return {"late": "yes"}

    @app.get("/events")
    async def events() -> StreamingResponse:
        async def lines():  # type: ignore[no-untyped-def]
            for n in range(3):
                yield f"event: tick\ndata: {n}\n\n".encode()
        return StreamingResponse(lines(), media_type="text/event-stream")

    return app


@pytest.fixture(scope="module")
def hits() -> Counter[str]:
    return Counter()


@pytest.fixture(scope="module")
def url(hits: Counter[str]) -> Iterator[str]:
    served, _ = serve_in_thread(other_side(hits))
    try:
        yield served.base_url
    finally:
        served.stop()
