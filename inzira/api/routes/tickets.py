"""POST /v1/tickets: a short-lived ticket that opens the caller's event streams where no header can be sent."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.context import ApiContext, api_context
from inzira.api.models import TicketModel
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller

router = APIRouter(prefix="/v1", tags=["events"])


@router.post("/tickets", summary="A 60 s ticket for the caller's event streams (EventSource cannot send headers)",
             response_class=Response, responses={**ok_doc(TicketModel, "The ticket"), **problem_docs(401, 403)})
def issue_ticket(caller: Caller = Depends(require_caller), ctx: ApiContext = Depends(api_context)) -> Response:
    """Pass it as `?ticket=` to an event stream (`/v1/events`, `/v1/remit/events`, a transfer's events). It names
    the caller, expires after 60 s (a stream opened with it stays open) and opens nothing but event streams.
    API tokens are accepted only in the `Authorization` header, never in a URL."""
    return json_response(ctx.tickets.issue(f"member:{caller.member}"))
