"""The transfer page's live status: the service's events for one transfer, relayed as server-sent events.

EventSource cannot send an Authorization header, so the page cannot open the API's stream itself; this
same-origin stream uses the session cookie instead. Each frame carries the transfer's state and the status
panel rendered afresh (``event: status``, data ``{transfer_id, state, final, step, html}``); the first is
sent at once, and the stream ends after the final state. Bounded: open streams (each holds its place from
the moment it is answered: ``inzira.api.held_stream``), lifetime, queue.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from inzira.api.held_stream import HeldStream, StreamSlots
from inzira.remit.events import EventSubscription, HubFull, RemitEvent
from inzira.remit.records import FINAL_STATES, PAYEE_STEPS
from inzira.web.forms import NO_STORE
from inzira.web.remit.roles import PageRole
from inzira.web.remit.site import RemitSite
from inzira.web.remit.transfer import visible_transfer
from inzira.web.remit.transfer_view import status_html

STREAMS_MAX = 200  # open status streams per process
# One member's share of them: its staff (or a demo button's visitors) holding that many leave the rest to others.
MEMBER_STREAMS_MAX = 50
STREAM_MAX_S = 300.0  # then the browser reconnects and gets a fresh snapshot: no connection lives forever
HEARTBEAT_S = 15.0
WAKE_S = 0.5  # longest sleep before checking that the service is not closing
RETRY_MS = 2_000
FULL_RETRY_MS = 30_000
DRAIN_MAX = 100  # events read in one go: a burst becomes one frame
_HEADERS = {"X-Accel-Buffering": "no", **NO_STORE}


class StatusStreams(StreamSlots):
    def __init__(self, site: RemitSite) -> None:
        self.site = site
        super().__init__()

    def _frame(self, transfer_id: str, step: str | None, payee_only: bool) -> tuple[bytes, bool]:
        record = self.site.service.transfers.get(transfer_id)
        if record is None:
            return b"", True
        data: dict[str, Any] = {"transfer_id": transfer_id, "state": record.state.value,
                                "final": record.state in FINAL_STATES, "step": step,
                                "html": status_html(self.site, record, payee_only)}
        return f"event: status\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode(), data["final"]

    async def stream(self, transfer_id: str, payee_only: bool) -> AsyncIterator[bytes]:
        sub: EventSubscription | None = None
        service = self.site.service
        try:
            loop = asyncio.get_running_loop()
            try:
                sub = service.hub.subscribe(loop, transfer_id=transfer_id)
            except HubFull:
                yield f"retry: {FULL_RETRY_MS}\n\n".encode()
                return
            yield f"retry: {RETRY_MS}\n\n".encode()
            frame, final = self._frame(transfer_id, None, payee_only)  # read after subscribing: no change falls between
            yield frame
            started_s = last_s = loop.time()
            while not final and not service.closing and loop.time() - started_s < STREAM_MAX_S:
                try:
                    event = await asyncio.wait_for(sub.queue.get(), WAKE_S)
                except TimeoutError:
                    if loop.time() - last_s >= HEARTBEAT_S:
                        yield b": heartbeat\n\n"
                        last_s = loop.time()
                    continue
                events = _drain(sub, event)
                if events is None:
                    return  # the hub dropped or closed us: the browser reconnects and starts afresh
                if payee_only:  # as the API's stream: not even the name of the sending side's steps (RESCREENED)
                    events = [e for e in events if e.data.get("step") in PAYEE_STEPS]
                    if not events:
                        continue
                frame, final = self._frame(transfer_id, events[-1].data.get("step") if events else None,
                                           payee_only)
                yield frame
                last_s = loop.time()
        finally:
            if sub is not None:
                sub.close()


def _drain(sub: EventSubscription, first: RemitEvent | None) -> list[RemitEvent] | None:
    """The first event and those already queued behind it; None when the subscription has ended."""
    events = [first]
    while len(events) < DRAIN_MAX and not sub.queue.empty():
        events.append(sub.queue.get_nowait())
    if any(e is None for e in events):
        return None
    return [e for e in events if e is not None]


def events_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    streams = StatusStreams(site)

    @router.get("/remit/transfers/{transfer_id}/events", include_in_schema=False)
    async def transfer_events(request: Request, transfer_id: str) -> Response:
        who = site.gate_data(request, *PageRole)
        if isinstance(who, Response):
            return who
        if visible_transfer(site, who, transfer_id) is None:
            return JSONResponse({"detail": f"no transfer {transfer_id}"}, 404, headers=NO_STORE)
        refused = streams.take(who.member, STREAMS_MAX, MEMBER_STREAMS_MAX, "live streams")
        if refused is not None:
            return refused
        content = streams.stream(transfer_id, who.role is PageRole.RECEIVING)
        return HeldStream(lambda: streams.release(who.member), content, site.credential(who), headers=_HEADERS)

    return router
