"""The POS home's live feed: each payment to the merchant (a QR wallet's or an eKash payer's) joins the list of
today's payments as it completes, without a reload.

The API's merchant event stream, relayed on this site's origin with the session cookie (as ``relay`` does for
one bill). Each frame is ``event: payment`` with ``{payment_id, html}``: the table row rendered by the server, followed
by ``event: totals`` with ``{html}``: today's totals afresh (after a refund too). Once the
API's stream has subscribed, today's payments are sent first (a payment completed while the page loaded is not
lost; the script skips rows it has), then ``event: ready``, then each payment as it completes.
Bounded: open streams (each holds its place from the moment it is answered: ``inzira.api.held_stream``),
lifetime, frame size (``sse_frames``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from starlette.responses import Response

from inzira.api.held_stream import HeldStream, StreamSlots
from inzira.http import HttpProblem
from inzira.web.forms import NO_STORE
from inzira.web.qr.pos import TODAY_PAYMENTS_MAX, merchant_path
from inzira.web.qr.relay import MERCHANT_STREAMS_MAX, RETRY_MS, STREAM_MAX_S, STREAMS_MAX, sse_frame, sse_frames
from inzira.web.qr.sessions import Grant, QrKind
from inzira.web.qr.site import QrSite
from inzira.web.rendering import ENV

ROW_TEMPLATE = "qr/payment_row.html"
TOTALS_TEMPLATE = "qr/pos_totals.html"
_HEADERS = {"X-Accel-Buffering": "no", **NO_STORE}
READY = b"event: ready\ndata: {}\n\n"  # the feed is live from here on


def row_frame(payment: dict[str, object]) -> bytes:
    return sse_frame("payment", {"payment_id": payment["payment_id"],
                                 "html": ENV.get_template(ROW_TEMPLATE).render(p=payment)})


def totals_frame(statement: dict[str, object]) -> bytes:
    return sse_frame("totals", {"html": ENV.get_template(TOTALS_TEMPLATE).render(statement=statement)})


class PaymentsRelay(StreamSlots):
    def __init__(self, site: QrSite) -> None:
        self.site = site
        super().__init__()
        self.closing = False

    def close_streams(self) -> None:
        self.closing = True

    async def stream(self, grant: Grant) -> AsyncIterator[bytes]:
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            loop = asyncio.get_running_loop()
            started_s = loop.time()
            async with self.site.api.stream(grant.token, f"{merchant_path(grant)}/events") as response:
                lines = response.aiter_lines()
                await anext(lines)  # the API's "retry:": it has subscribed, so nothing after the snapshot is lost
                # Payments completed while the page loaded: the script adds the rows it does not have.
                today = await self.site.api.get(grant.token, f"{merchant_path(grant)}/statement",
                                                {"limit": TODAY_PAYMENTS_MAX})
                yield b"".join(row_frame(payment) for payment in today["payments"]) + totals_frame(today) + READY
                async for frame in sse_frames(lines):
                    if self.closing or loop.time() - started_s > STREAM_MAX_S:
                        return
                    if frame is None:
                        yield b": heartbeat\n\n"
                        continue
                    row = row_frame(json.loads(frame[1])["data"]) if frame[0] == "payment.completed" else b""
                    if row or frame[0] == "refund.completed":  # today's totals changed: the server sums them
                        today = await self.site.api.get(grant.token, f"{merchant_path(grant)}/statement",
                                                        {"limit": 1})
                        yield row + totals_frame(today)
        except (HttpProblem, ValueError, KeyError, StopAsyncIteration):
            return  # the browser reconnects after RETRY_MS


def pos_live_router(site: QrSite, relay: PaymentsRelay) -> APIRouter:
    router = APIRouter()

    @router.get("/qr/pos/events", include_in_schema=False)
    async def payment_events(request: Request) -> Response:
        grant = site.gate_data(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        busy = relay.take(grant.owner_id, STREAMS_MAX, MERCHANT_STREAMS_MAX, "live screens")
        if busy is not None:
            return busy
        return HeldStream(lambda: relay.release(grant.owner_id), relay.stream(grant),
                          site.sessions[QrKind.POS].credential(request), headers=_HEADERS)

    return router
