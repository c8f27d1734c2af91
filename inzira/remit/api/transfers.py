"""Transfers: send, status with timeline (optionally waiting for the outcome), lists, and the receipt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.numbers import TIME_MS_MAX, digits
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code
from inzira.qr.api import lean
from inzira.qr.api.lean import LeanRoute
from inzira.remit.api.deps import (PREFIX, RemitProblem, answers_problems, lean_caller, lean_json_body, lean_number,
                                   may_see_transfer, require_role)
from inzira.remit.api.models import UUID_PATTERN, RemitReceipt, TransferBody, TransferPage, TransferView
from inzira.remit.api.transfer_pages import Cursor, after, transfer_page
from inzira.remit.api.views import fsp_name, full, view_for
from inzira.remit.api.waiting import wait_settled
from inzira.remit.codes import RemitError
from inzira.remit.receipts import build_receipt
from inzira.remit.records import TransferRecord, TransferState
from inzira.remit.sending import TransferRequest
from inzira.remit.service import RemitService

PAGE_MAX = 200
WAIT_MS_MAX = 30_000
_ON_CHAIN = (TransferState.RESERVED, TransferState.COMMITTED, TransferState.ABORTED)
TimeMs = digits(0, TIME_MS_MAX)
Limit = digits(1, PAGE_MAX)
WaitMs = Annotated[digits(0, WAIT_MS_MAX), Query(description="Wait up to this long for a final state (or HELD) before "
                                                        "answering")]


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["remit: transfers"])

    def visible(caller: Caller, transfer_id: str) -> TransferRecord:
        record = service.transfers.get(transfer_id)
        if record is None or not may_see_transfer(caller, record):
            raise RemitError(404, Code.TRANSFER_NOT_FOUND, f"no transfer {transfer_id} visible to {caller.member}")
        return record

    # On every remittance's path: a lean route (inzira.qr.api.lean).
    @answers_problems
    async def send(request: Request) -> Response:
        """Idempotent on `transfer_id`. A transfer that ends without paying out answers 422 with its code and
        the transfer in `transfer`: 4140 refused by compliance, 4001 beyond the sender's liquidity, 3302 quote
        expired, 5105 payout failed (money back), 3303 expired (money back). 409: 3106 same id, other body;
        3146 quote already used. 404 3205: no such quote."""
        caller = await lean_caller(request)
        require_role(caller, "sending_fsp")
        wait_ms = lean_number(request, "wait_ms", 0, WAIT_MS_MAX, 0)
        body = await lean.body(request, TransferBody)
        request_ = TransferRequest(body.transfer_id, body.quote_id, body.sender.id, body.sender.name,
                                   body.receiver.name, body.expires_in_ms)
        record, created = await service.desk.send(caller.member, request_)
        record = await wait_settled(service, record, min(wait_ms, service.settings.wait_ms_max), caller.member)
        view = full(service, record)
        if record.state in (TransferState.REJECTED, TransferState.ABORTED):
            raise RemitProblem(422, record.code, record.reason or f"the transfer is {record.state.value}",
                               transfer=view)
        status = 202 if record.state is TransferState.HELD else 201 if created else 200
        return json_response(view, status, {"Location": view["links"]["self"]})

    router.add_api_route(
        "/transfers", send, methods=["POST"], route_class_override=LeanRoute, response_class=Response,
        summary="Send: compliance, then one pending hashlocked transfer on chain",
        openapi_extra={**lean_json_body(TransferBody), **lean.params(
            ("wait_ms", "query", {"type": "integer", "minimum": 0, "maximum": WAIT_MS_MAX, "default": 0},
             "Wait up to this long for a final state (or HELD) before answering"))},
        responses={201: {"model": TransferView, "description": "created (RESERVED, or COMMITTED when waited for; "
                         "RECEIVED if the ledger has not answered yet)"},
                   200: {"model": TransferView, "description": "a resend: the transfer as it stands"},
                   202: {"model": TransferView, "description": "HELD for a compliance officer"},
                   **problem_docs(400, 401, 403, 404, 409, 422)})

    @router.get("/transfers", summary="The sending FSP's transfers, newest first", response_class=Response,
                responses={**ok_doc(TransferPage, "a page"), **problem_docs(400, 401)})
    @answers_problems
    async def sent(state: TransferState | None = None, before_ms: TimeMs | None = None, limit: Limit = 50,
                   cursor: Cursor = None, caller: Caller = Depends(require_caller)) -> Response:
        """Newest first (creation time, then id). Pass `next_cursor` as `cursor` for the next page (null on
        the last): every transfer once, however many share a millisecond."""
        records = service.transfers.page(sending_fsp=None if caller.sees_all else caller.member,
                                         states=(state,) if state else (), before_ms=before_ms, limit=limit + 1,
                                         after=after(cursor))
        return json_response(transfer_page(records, limit))

    @router.get("/incoming", summary="Transfers to the receiving FSP, newest first", response_class=Response,
                responses={**ok_doc(TransferPage, "a page"), **problem_docs(400, 401, 403)})
    @answers_problems
    async def incoming(state: TransferState | None = None, before_ms: TimeMs | None = None, limit: Limit = 50,
                       cursor: Cursor = None, caller: Caller = Depends(require_caller)) -> Response:
        """Only what reached the ledger (RESERVED, COMMITTED, ABORTED): the receiving FSP never sees what
        compliance held or refused at the sending side. Paged as `GET /transfers`."""
        require_role(caller, "receiving_fsp")
        position = after(cursor)
        if state is not None and state not in _ON_CHAIN:
            return json_response({"items": [], "next_cursor": None})
        records = service.transfers.page(receiving_fsp=caller.member, states=(state,) if state else _ON_CHAIN,
                                         reserved=True, before_ms=before_ms, limit=limit + 1, after=position)
        return json_response(transfer_page(records, limit))

    @router.get("/transfers/{transfer_id}", summary="Status, amounts, compliance, payout and timeline",
                response_class=Response, responses={**ok_doc(TransferView, "the transfer"), **problem_docs(401, 404)})
    @answers_problems
    async def status(transfer_id: str = Path(pattern=UUID_PATTERN), wait_ms: WaitMs = 0,
                     caller: Caller = Depends(require_caller)) -> Response:
        record = await wait_settled(service, visible(caller, transfer_id), min(wait_ms, service.settings.wait_ms_max),
                                    caller.member)
        return json_response(view_for(service, record, caller.member, caller.sees_all))

    @router.get("/transfers/{transfer_id}/receipt", summary="The customer's receipt, verifiable offline",
                response_class=Response, responses={**ok_doc(RemitReceipt, "the receipt"),
                                                    **problem_docs(401, 404, 409)})
    @answers_problems
    async def receipt(transfer_id: str = Path(pattern=UUID_PATTERN),
                      caller: Caller = Depends(require_caller)) -> Response:
        """The ledger receipts of the reservation and of the commit (or void), with the transfer's summary and
        its disclosure (`null` for the receiving FSP). 409 while nothing of it is in the chain (held, refused,
        or not yet reserved)."""
        record = visible(caller, transfer_id)
        # The disclosure is the sending side's pricing: the receiving FSP's view has none, so its receipt neither.
        whole = caller.sees_all or caller.member == record.sending_fsp
        found = service.transfers.quote(record.quote_id) if whole else None
        terms = found[0] if found else None
        built = build_receipt(service.node, record, terms, fsp_name(service, record.receiving_fsp),
                              service.settings.transfer_ttl_ms)
        if built is None:
            raise RemitError(409, Code.VALIDATION, f"transfer {transfer_id} is {record.state.value}: nothing of it "
                             "is in the chain, so there is no ledger receipt")
        return json_response(built)

    return router
