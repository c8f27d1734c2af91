"""Pending (two-phase) transfers: reserved funds, their expiry and how they were resolved."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.context import ApiContext, api_context
from inzira.api.models import HEX_ID_PATTERN, PendingModel
from inzira.api.problems import Problem
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller, may_see_pending
from inzira.ledger.codes import Code
from inzira.node.views import pending_view

router = APIRouter(prefix="/v1", tags=["accounts"])


@router.get("/pending/{pending_id}", summary="A pending transfer (its id is the creating transaction's id)",
            response_class=Response,
            responses={**ok_doc(PendingModel, "The pending transfer"), **problem_docs(400, 401, 404)})
def get_pending(pending_id: str = Path(pattern=HEX_ID_PATTERN, description="hex, 64 digits"),
                caller: Caller = Depends(require_caller), ctx: ApiContext = Depends(api_context)) -> Response:
    pending = ctx.node.pending(bytes.fromhex(pending_id))
    if pending is None or not may_see_pending(caller, pending):
        raise Problem(404, Code.TRANSFER_NOT_FOUND, f"no pending transfer {pending_id.lower()} visible to "
                      f"{caller.member}")
    return json_response(pending_view(pending))
