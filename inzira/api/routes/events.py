"""GET /v1/events: committed blocks as server-sent events, with the transactions the caller may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from starlette.responses import StreamingResponse

from inzira.api.auth import require_stream_caller
from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext, api_context
from inzira.api.event_stream import BlockStream
from inzira.api.held_stream import HeldStream
from inzira.api.numbers import DIGITS_MAX, INT64_MAX, digits, parse_digits
from inzira.api.problems import Problem
from inzira.api.stream_credential import caller_credential
from inzira.api.responses import problem_docs
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code

router = APIRouter(prefix="/v1", tags=["events"])

Height = digits(1, INT64_MAX)

_EVENTS_DOC = (
    "text/event-stream. Each committed block is `event: block`, `id: <height>`, `data: {height, hash, "
    "timestamp_ms, tx_count, txs: [{tx_id, index, code, kind}]}` listing the transactions the caller may see. "
    "Comment lines (`: heartbeat`) keep an idle stream open."
)


@router.get("/events", summary="Committed blocks as server-sent events", response_class=StreamingResponse,
            responses={200: {"description": _EVENTS_DOC, "content": {"text/event-stream": {}}},
                       **problem_docs(400, 401, 503)})
async def events(
    from_height: Annotated[Height | None, Query(alias="from", description="Replay from this height (inclusive) "
                                                                          "before going live")] = None,
    last_event_id: str | None = Header(None, pattern=f"^[0-9]{{1,{DIGITS_MAX}}}$",
                                       description="The last height received: resume after it (wins over from=, "
                                                   "as browsers resend it)"),
    caller: Caller = Depends(require_stream_caller),
    ctx: ApiContext = Depends(api_context),
) -> StreamingResponse:
    if last_event_id is not None:
        last_height = parse_digits(last_event_id, 0, INT64_MAX - 1)
        if last_height is None:
            raise Problem(400, Code.VALIDATION, "Last-Event-ID must be a block height")
        next_height = last_height + 1
    else:
        next_height = from_height or ctx.node.height + 1
    if ctx.event_streams >= ctx.settings.event_streams_max:
        raise Problem(503, ApiCode.BUSY, "too many open event streams", headers={"Retry-After": "5"})
    ctx.event_streams += 1  # before any await (inzira.api.held_stream)
    ctx.metrics.event_streams.inc()

    def release() -> None:
        ctx.event_streams -= 1
        ctx.metrics.event_streams.dec()

    return HeldStream(release, BlockStream(ctx, caller, next_height).frames(), caller_credential(ctx.node, caller))
