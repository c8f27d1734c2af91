"""The sending FSP's compliance officer: held transfers, decisions on them, and the decisions log.

The officer authenticates with its own token (remit-officers.json in the data folder: one per sending
FSP), not with the FSP's API token: an FSP's systems can send but cannot clear their own holds. The token works
while its FSP is a sending FSP in the ledger state (403, code 4300, otherwise), as the officer's pages do.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from inzira.api.numbers import digits
from inzira.api.paging import cursor_page
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.ledger.codes import Code
from inzira.remit.api.deps import PREFIX, answers_problems, officer_dependency
from inzira.remit.api.models import UUID_PATTERN, DecisionBody, TransferPage, TransferView
from inzira.remit.api.transfer_pages import Cursor, after, transfer_page
from inzira.remit.api.views import decision_view, full, with_decisions
from inzira.remit.codes import RemitError
from inzira.remit.records import TransferState
from inzira.remit.service import RemitService

PAGE_MAX = 200
Limit = digits(1, PAGE_MAX)


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=f"{PREFIX}/compliance", tags=["remit: compliance officer"])
    require_officer = officer_dependency(service)

    @router.get("/held", summary="Transfers held for review, oldest first", response_class=Response,
                responses={**ok_doc(TransferPage, "held transfers with their screening reasons"),
                           **problem_docs(400, 401, 403)})
    @answers_problems
    async def held(limit: Limit = 50, cursor: Cursor = None, member: str = Depends(require_officer)) -> Response:
        """Oldest first (creation time, then id): the longest waiting first. Pass `next_cursor` as `cursor` for
        the next page (null on the last)."""
        records = service.transfers.page(sending_fsp=member, states=(TransferState.HELD,), oldest_first=True,
                                         limit=limit + 1, after=after(cursor))
        return json_response(transfer_page(records, limit, lambda record: with_decisions(service, record)))

    @router.post("/transfers/{transfer_id}/decision", summary="Approve or reject a held transfer",
                 response_class=Response,
                 responses={**ok_doc(TransferView, "the transfer after the decision"),
                            **problem_docs(400, 401, 403, 404, 409)})
    @answers_problems
    async def decide(body: DecisionBody, transfer_id: str = Path(pattern=UUID_PATTERN),
                     member: str = Depends(require_officer)) -> Response:
        """Approve: the transfer goes on chain as if it had passed (if its quote has expired meanwhile it is
        ABORTED with 3302 and must be quoted again). Reject: REJECTED with 4140, nothing moved."""
        record = service.transfers.get(transfer_id)
        if record is None or record.sending_fsp != member:
            raise RemitError(404, Code.TRANSFER_NOT_FOUND, f"no transfer {transfer_id} at {member}")
        if record.state is not TransferState.HELD:
            raise RemitError(409, Code.ALREADY_RESOLVED, f"transfer {transfer_id} is {record.state.value}, not HELD")
        if body.decision == "approve":
            record = await service.desk.approve(member, record, body.note)
        else:
            record = await service.desk.reject(member, record, body.note)
        return json_response(full(service, record))

    @router.get("/decisions", summary="The decisions log (screening and officers), newest first",
                response_class=Response,
                responses={200: {"description": "{items: [decision], next_cursor}: next_cursor is null on the last "
                                                "page"}, **problem_docs(400, 401, 403)})
    @answers_problems
    async def decisions(limit: Limit = 50, cursor: Cursor = None, member: str = Depends(require_officer)) -> Response:
        """Newest first. Pass `next_cursor` as `cursor` for the next page (null on the last): the whole log,
        each decision once."""
        position = after(cursor)
        rows = service.transfers.decisions_of(member, limit + 1, position[0] if position else None)
        return json_response(cursor_page(rows, limit, lambda row: decision_view(row[1]),
                                         lambda row: (row[0], row[1].transfer_id)))

    return router
