"""The POS screen's live bill: the API's bill event stream, relayed to the browser on this site's origin.

``EventSource`` cannot send a bearer token, and the page never holds the merchant's token (nor a ticket for
it): this stream uses the session cookie and opens the API's stream with the token server-side.
Each frame is ``event: status`` with ``{status, final, html}``: the bill's panel rendered afresh (the QR
while open, PAID with the amounts once paid). The first frame is the bill's state when the stream opens
(the API's ``bill`` frame, taken after it subscribed: a payment in between is not missed); the stream ends
once the bill is paid or expired. Bounded: open streams (each holds its place from the moment its request
passes the check, before the route's first await: ``inzira.api.held_stream``), lifetime, frame size.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from inzira.api.held_stream import HeldStream, StreamSlots
from inzira.web.forms import NO_STORE
from inzira.web.qr.bill_view import FINAL_STATUSES, panel_html
from inzira.http import HttpProblem
from inzira.web.qr.pos import merchant_path
from inzira.web.qr.sessions import Grant, QrKind
from inzira.web.qr.site import QrSite, is_id

STREAMS_MAX = 200  # open relays per process
# One merchant's share of them (its tablets' bill and payment screens): a POS token opening screens without end
# leaves the rest to other merchants.
MERCHANT_STREAMS_MAX = 20
STREAM_MAX_S = 300.0  # then the browser reconnects and gets a fresh first frame
RETRY_MS = 2_000
FRAME_CHARS_MAX = 64 * 1024  # a bill or payment view is well under 2 KiB
_HEADERS = {"X-Accel-Buffering": "no", **NO_STORE}


async def sse_frames(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, str] | None]:
    """(event, data) per frame of an event stream; None for a comment (a heartbeat): a chance to stop."""
    event, data, size = "message", [], 0
    async for line in lines:
        if line == "":
            if data and size <= FRAME_CHARS_MAX:
                yield event, "\n".join(data)
            event, data, size = "message", [], 0
        elif line.startswith(":"):
            yield None
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            size += len(value)
            if name == "event":
                event = value
            elif name == "data" and size <= FRAME_CHARS_MAX:
                data.append(value)


def sse_frame(event: str, data: dict[str, object]) -> bytes:
    """One server-sent event: ``event`` with ``data`` as compact JSON on one line."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _frame(status: str, html: str) -> bytes:
    return sse_frame("status", {"status": status, "final": status in FINAL_STATUSES, "html": html})


class BillRelay(StreamSlots):
    def __init__(self, site: QrSite) -> None:
        self.site = site
        super().__init__()
        self.closing = False

    def close_streams(self) -> None:
        """For ``app.state.on_server_stop``: open relays end at their next line."""
        self.closing = True

    async def bill(self, grant: Grant, bill_id: str) -> dict[str, Any]:
        return await self.site.api.get(grant.token, f"{merchant_path(grant)}/bills/{bill_id}")

    async def stream(self, grant: Grant, bill_id: str) -> AsyncIterator[bytes]:
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            loop = asyncio.get_running_loop()
            started_s = loop.time()
            path = f"{merchant_path(grant)}/bills/{bill_id}/events"
            async with self.site.api.stream(grant.token, path) as response:
                async for frame in sse_frames(response.aiter_lines()):
                    if self.closing or loop.time() - started_s > STREAM_MAX_S:
                        return
                    if frame is None:
                        yield b": heartbeat\n\n"
                        continue
                    event, data = frame
                    if event == "bill":
                        bill = await self.bill(grant, bill_id)  # with its payment when it is paid
                        payment = bill.get("payment")
                    elif event == "payment.completed":
                        payment = json.loads(data)["data"]
                        bill = await self.bill(grant, bill_id)
                    else:
                        continue
                    status = "paid" if payment is not None else str(bill["status"])
                    yield _frame(status, panel_html(bill, payment))
                    if status in FINAL_STATUSES:
                        return
        except (HttpProblem, ValueError, KeyError):
            return  # the browser reconnects after RETRY_MS and starts afresh


def relay_router(site: QrSite, relay: BillRelay) -> APIRouter:
    router = APIRouter()

    @router.get("/qr/pos/bills/{bill_id}/events", include_in_schema=False)
    async def bill_events(request: Request, bill_id: str) -> Response:
        grant = site.gate_data(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        if not is_id(bill_id):
            return JSONResponse({"detail": f"no bill {bill_id}"}, 404, headers=NO_STORE)
        busy = relay.take(grant.owner_id, STREAMS_MAX, MERCHANT_STREAMS_MAX, "live screens")
        if busy is not None:
            return busy
        try:
            refused = await _refusal(relay, grant, bill_id)
        except BaseException:  # cancelled (the client went), say: no stream will give the place back
            relay.release(grant.owner_id)
            raise
        if refused is not None:
            relay.release(grant.owner_id)
            return refused
        return HeldStream(lambda: relay.release(grant.owner_id), relay.stream(grant, bill_id),
                          site.sessions[QrKind.POS].credential(request), headers=_HEADERS)

    return router


async def _refusal(relay: BillRelay, grant: Grant, bill_id: str) -> Response | None:
    """The answer when the API refuses the bill now (that ends the browser's retries: EventSource gives up)."""
    try:
        await relay.bill(grant, bill_id)
    except HttpProblem as exc:
        if not exc.answered:
            return JSONResponse({"detail": exc.detail}, 503, {"Retry-After": "5", **NO_STORE})
        return JSONResponse({"detail": exc.detail}, exc.status if exc.status in (401, 404) else 502,
                            headers=NO_STORE)
    return None
