"""GET /v1/events: committed blocks as server-sent events, with the transactions the caller may see."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query
from starlette.responses import StreamingResponse

from inzira.api.auth import require_caller
from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.event_stream import BlockStream
from inzira.api.problems import Problem
from inzira.api.responses import problem_docs
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code

EVENT_ID_CHARS_MAX = 20

router = APIRouter(prefix="/v1", tags=["events"])

_EVENTS_DOC = (
    "text/event-stream. Each committed block is `event: block`, `id: <height>`, `data: {height, hash, "
    "timestamp_ms, tx_count, txs: [{tx_id, index, code, kind}]}` listing the transactions the caller may see. "
    "Comment lines (`: heartbeat`) keep an idle stream open."
)


@router.get("/events", summary="Committed blocks as server-sent events", response_class=StreamingResponse,
            responses={200: {"description": _EVENTS_DOC, "content": {"text/event-stream": {}}},
                       **problem_docs(400, 401, 503)})
async def events(
    from_height: int | None = Query(None, alias="from", ge=1,
                                    description="Replay from this height (inclusive) before going live"),
    last_event_id: str | None = Header(None, description="The last height received: resume after it "
                                                          "(wins over from=, as browsers resend it)"),
    caller: Caller = Depends(require_caller),
    ctx: ApiContext = Depends(api_context),
) -> StreamingResponse:
    if last_event_id is not None:
        if not (last_event_id.isdigit() and len(last_event_id) <= EVENT_ID_CHARS_MAX):
            raise Problem(400, Code.VALIDATION, "Last-Event-ID must be a block height")
        next_height = int(last_event_id) + 1
    else:
        next_height = from_height or ctx.node.height + 1
    if ctx.event_streams >= ctx.settings.event_streams_max:
        raise Problem(503, ApiCode.BUSY, "too many open event streams", headers={"Retry-After": "5"})
    stream = BlockStream(ctx, caller, next_height)
    return StreamingResponse(stream.frames(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
