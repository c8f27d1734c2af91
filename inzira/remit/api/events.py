"""Server-sent events: one transfer's status changes, or everything that concerns the caller.

Frames are `id: <event seq>`, `event: transfer|alert|snapshot`, `data: <JSON>`. A transfer's stream starts
with a `snapshot` (the transfer as it stands, timeline included) and ends after its final state. Comment
lines (`: heartbeat`) keep idle streams open.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from fastapi import APIRouter, Depends, Path
from starlette.responses import StreamingResponse

from inzira.api.auth import require_stream_caller
from inzira.api.held_stream import LiveStream
from inzira.api.responses import problem_docs
from inzira.api.stream_credential import caller_credential
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code
from inzira.remit.api.deps import PREFIX, answers_problems, may_see_transfer
from inzira.remit.api.models import UUID_PATTERN
from inzira.remit.api.views import view_for
from inzira.remit.codes import RemitError
from inzira.remit.events import EventSubscription, HubFull
from inzira.remit.records import FINAL_STATES, PAYEE_STEPS
from inzira.remit.service import RemitService

WAKE_S = 0.5
RECONNECT_MS = 2_000
_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_DOC = {200: {"description": "text/event-stream", "content": {"text/event-stream": {}}}}


def frame(event_id: int, kind: str, data: dict[str, Any]) -> bytes:
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (event_id, kind.encode(), msgspec.json.encode(data))


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["remit: events"])
    heartbeat_s = service.settings.events_heartbeat_ms / 1000

    async def stream(sub: EventSubscription, first: bytes | None, until_final: bool,
                     payee_only: bool = False) -> AsyncIterator[bytes]:
        """``payee_only``: the receiving FSP's stream of one transfer, with the steps its view shows only."""
        loop = asyncio.get_running_loop()
        try:
            yield b"retry: %d\n\n" % RECONNECT_MS
            if first is not None:
                yield first
            last_s = loop.time()
            while not service.closing:
                try:
                    event = await asyncio.wait_for(sub.queue.get(), min(WAKE_S, heartbeat_s))
                except TimeoutError:
                    if loop.time() - last_s >= heartbeat_s:
                        yield b": heartbeat\n\n"
                        last_s = loop.time()
                    continue
                if event is None:
                    return
                if payee_only and event.data.get("step") not in PAYEE_STEPS:
                    continue
                yield frame(event.seq, event.type, event.json())
                last_s = loop.time()
                if until_final and event.data.get("state") in FINAL_STATES and event.data.get("step") == \
                        event.data.get("state"):
                    return
        finally:
            sub.close()

    def subscribe(**kwargs: Any) -> EventSubscription:
        try:
            return service.hub.subscribe(asyncio.get_running_loop(), **kwargs)
        except HubFull:
            raise RemitError(503, 2005, "too many open event streams: retry later") from None

    @router.get("/transfers/{transfer_id}/events", summary="One transfer's status changes (SSE)",
                response_class=StreamingResponse, responses={**_DOC, **problem_docs(401, 404, 503)})
    @answers_problems
    async def transfer_events(transfer_id: str = Path(pattern=UUID_PATTERN),
                              caller: Caller = Depends(require_stream_caller)) -> StreamingResponse:
        record = service.transfers.get(transfer_id)
        if record is None or not may_see_transfer(caller, record):
            raise RemitError(404, Code.TRANSFER_NOT_FOUND, f"no transfer {transfer_id} visible to {caller.member}")
        sub = subscribe(transfer_id=transfer_id, owner=caller.member)
        record = service.transfers.get(transfer_id) or record  # after subscribing: no change falls between
        snapshot = frame(0, "snapshot", view_for(service, record, caller.member, caller.sees_all))
        if record.state in FINAL_STATES:
            sub.close()
            return LiveStream(_once(snapshot), None, headers=_HEADERS)
        payee_only = not (caller.sees_all or caller.member == record.sending_fsp)
        return LiveStream(stream(sub, snapshot, True, payee_only), caller_credential(service.node, caller),
                          headers=_HEADERS)

    @router.get("/events", summary="Every transfer change and alert that concerns the caller (SSE)",
                response_class=StreamingResponse, responses={**_DOC, **problem_docs(401, 503)})
    @answers_problems
    async def member_events(caller: Caller = Depends(require_stream_caller)) -> StreamingResponse:
        """Regulators, the central bank and auditors receive every event."""
        sub = subscribe(member=caller.member, sees_all=caller.sees_all)
        return LiveStream(stream(sub, None, False), caller_credential(service.node, caller), headers=_HEADERS)

    return router


async def _once(chunk: bytes) -> AsyncIterator[bytes]:
    yield b"retry: %d\n\n" % RECONNECT_MS
    yield chunk
