"""The issuer's funding API, under /funding/v1 (inzira/remit/API.md lists it with the remittance API).

Holders (a client token the issuer issued them, ``funding-clients.json``):
- ``POST /funding/v1/deposits`` {account, amount_minor, settlement_reference} -> 202 the pending request
- ``POST /funding/v1/withdrawals`` {signed_tx} (a Redeem the holder signed, base64url) -> 202
- ``GET /funding/v1/requests[?state=&limit=&cursor=]`` (pages, newest first), ``GET /funding/v1/requests/{id}``:
  its own requests
The issuer's officers (``funding-officers.json``, "<issuer>/<officer>" -> token):
- the same reads, for every request to their issuer (amounts, references, who asked, approvals, and the other
  requests still pending with the same reference: ``contested_by``)
- ``POST /funding/v1/requests/{id}/approve|reject`` {note}: approve (the issuer signs once enough officers
  approved) or reject (the request then names the officer: ``rejected_by``; null when the desk rejected it
  because another request took its reference)
- ``PUT /funding/v1/caps/{account}`` {cap_minor}: a position's net debit cap
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from inzira.api.codes import ApiCode
from inzira.api.numbers import digits, json_int
from inzira.api.paging import CURSOR_PATTERN
from inzira.api.problems import Problem
from inzira.api.responses import json_response, problem_docs
from inzira.api.tokens import TokenBook
from inzira.fx.wire import unb64
from inzira.funding.desk import LIST_MAX, NOTE_CHARS_MAX, FundingDesk, Officer
from inzira.funding.errors import FundingError
from inzira.funding.paging import request_page
from inzira.funding.store import STATES, FundingRequest
from inzira.ledger.codes import Code
from inzira.ledger.tx import TX_BYTES_MAX
from inzira.money import AMOUNT_MINOR_MAX

FUNDING_PREFIX = "/funding/v1"
FUNDING_CLIENTS_FILE = "funding-clients.json"
FUNDING_OFFICERS_FILE = "funding-officers.json"

bearer = HTTPBearer(auto_error=False, scheme_name="FundingToken",
                    description="A holder's client token (funding-clients.json) or an issuer officer's token "
                                "(funding-officers.json)")
_Reference = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\x20-\x7e]+$",
                                  description="The interbank payment's reference (printable ASCII)")]
# JSON integers only (pydantic alone takes true, 1e2, " 100" and "1_000" for an int): money in minor units.
_Amount = json_int(1, AMOUNT_MINOR_MAX)
_Cap = json_int(0, AMOUNT_MINOR_MAX)
_Limit = digits(1, LIST_MAX)


class DepositBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: str = Field(max_length=81, examples=["eurosend:eur"])
    amount_minor: _Amount
    settlement_reference: _Reference


class WithdrawalBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signed_tx: str = Field(max_length=TX_BYTES_MAX * 2, description="The Redeem the holder signed, base64url")


class DecisionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=NOTE_CHARS_MAX)


class CapBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cap_minor: _Cap


def _problem(exc: FundingError) -> Problem:
    return Problem(exc.status, exc.code, exc.detail)


def funding_router(desk: FundingDesk, clients: Mapping[str, str], officers: Mapping[str, str]) -> APIRouter:
    """``clients``: member -> token; ``officers``: "<issuer>/<officer>" -> token (those of the issuers this
    desk acts for count)."""
    holders = TokenBook({token: member for member, token in clients.items()})
    staff = TokenBook({token: name for name, token in officers.items() if name.partition("/")[0] in desk.issuers})
    router = APIRouter(prefix=FUNDING_PREFIX, tags=["funding (the issuer)"])

    async def caller(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> str | Officer:
        token = credentials.credentials if credentials else ""
        name = staff.member_for(token)
        if name is not None:
            return Officer(name.partition("/")[0], name)
        member = holders.member_for(token)
        if member is None:
            raise Problem(401, ApiCode.UNAUTHENTICATED, "send Authorization: Bearer <funding client or officer "
                          "token>", headers={"WWW-Authenticate": 'Bearer realm="inzira-funding"'})
        return member

    def holder(who: str | Officer) -> str:
        if isinstance(who, Officer):
            raise Problem(403, Code.PERMISSION, "an issuer's officer does not file funding requests")
        return who

    def officer(who: str | Officer) -> Officer:
        if not isinstance(who, Officer):
            raise Problem(403, Code.PERMISSION, f"only the issuer's officers decide: {who} is a holder")
        return who

    @router.post("/deposits", status_code=202, summary="Ask the issuer to fund an account (holder)",
                 response_class=Response, responses={202: {"description": "The pending funding request"},
                                                     **problem_docs(400, 401, 403, 404, 409, 422)})
    async def deposit(body: DepositBody, who: str | Officer = Depends(caller)) -> Response:
        try:
            request = desk.request_deposit(holder(who), body.account, body.amount_minor, body.settlement_reference)
        except FundingError as exc:
            raise _problem(exc) from None
        return json_response(desk.view(request), 202, {"Location": f"{FUNDING_PREFIX}/requests/{request.id}"})

    @router.post("/withdrawals", status_code=202, summary="File a signed redemption for the issuer (holder)",
                 response_class=Response, responses={202: {"description": "The pending withdrawal request"},
                                                     **problem_docs(400, 401, 403, 404, 409, 422)})
    async def withdrawal(body: WithdrawalBody, who: str | Officer = Depends(caller)) -> Response:
        try:
            raw = unb64(body.signed_tx)
        except ValueError:
            raise Problem(400, Code.MALFORMED, "signed_tx is not base64url") from None
        try:
            request = desk.request_withdrawal(holder(who), raw)
        except FundingError as exc:
            raise _problem(exc) from None
        return json_response(desk.view(request), 202, {"Location": f"{FUNDING_PREFIX}/requests/{request.id}"})

    @router.get("/requests", summary="Funding requests, newest first, a page at a time: a holder's own, or every "
                                      "one to an officer's issuer",
                response_class=Response, responses={200: {"description": "{items: [request], next_cursor}: "
                                                                         "next_cursor is null on the last page"},
                                                    **problem_docs(400, 401)})
    async def listing(state: str | None = Query(None, pattern=f"^({'|'.join(STATES)})$"),
                      limit: _Limit = 50,
                      cursor: str | None = Query(None, pattern=CURSOR_PATTERN,
                                                 description="next_cursor of the previous page"),
                      who: str | Officer = Depends(caller)) -> Response:
        issuers, holder = ((who.issuer,), None) if isinstance(who, Officer) else (None, who)
        found, next_cursor = request_page(desk.store, issuers, holder, state, limit, cursor, desk.clock_ms())
        return json_response({"items": [desk.view(r, holder is None) for r in found], "next_cursor": next_cursor})

    def _visible(request_id: str, who: str | Officer) -> Any:
        request = desk.store.get(request_id)
        seen = request is not None and (request.issuer == who.issuer if isinstance(who, Officer)
                                        else request.holder == who)
        if request is None or not seen:
            raise Problem(404, Code.NOT_FOUND, f"no funding request {request_id}")
        return request

    _Id = Path(max_length=40, pattern=r"^fr-[0-9a-f]{32}$")

    @router.get("/requests/{request_id}", summary="One funding request", response_class=Response,
                responses={200: {"description": "The request"}, **problem_docs(401, 404)})
    async def one(request_id: str = _Id, who: str | Officer = Depends(caller)) -> Response:
        return json_response(desk.view(_visible(request_id, who), isinstance(who, Officer)))

    @router.post("/requests/{request_id}/approve", summary="Approve (an officer of the issuer)",
                 response_class=Response, responses={200: {"description": "The request, approved or awaiting a "
                                                           "second officer"}, **problem_docs(401, 403, 404, 409)})
    async def approve(body: DecisionBody, request_id: str = _Id, who: str | Officer = Depends(caller)) -> Response:
        try:
            request = await desk.approve(officer(who), request_id, body.note)
        except FundingError as exc:
            raise _problem(exc) from None
        return json_response(desk.view(request, officer=True))

    @router.post("/requests/{request_id}/reject", summary="Reject (an officer of the issuer)",
                 response_class=Response, responses={200: {"description": "The rejected request"},
                                                     **problem_docs(401, 403, 404, 409)})
    async def reject(body: DecisionBody, request_id: str = _Id, who: str | Officer = Depends(caller)) -> Response:
        try:
            request = desk.reject(officer(who), request_id, body.note)
        except FundingError as exc:
            raise _problem(exc) from None
        return json_response(desk.view(request, officer=True))

    @router.put("/caps/{account}", summary="Set a position's net debit cap (an officer of its issuer)",
                response_class=Response, responses={
                    200: {"description": "{tx_id, code, account, cap_minor}: set"},
                    202: {"description": "A raise to the dual-approval threshold or above: the request, approved "
                                         "by this officer, for a second officer to approve"},
                    **problem_docs(400, 401, 403, 404, 409, 422, 503)})
    async def cap(body: CapBody, account: str = Path(max_length=81), who: str | Officer = Depends(caller)) -> Response:
        try:
            outcome = await desk.cap(officer(who), account, body.cap_minor)
        except FundingError as exc:
            raise _problem(exc) from None
        if isinstance(outcome, FundingRequest):
            return json_response(desk.view(outcome, officer=True), 202)
        if outcome is None:
            raise Problem(503, ApiCode.UNAVAILABLE, "the ledger did not answer: try again")
        if outcome.code != Code.OK:
            raise Problem(422, outcome.code, "the ledger refused the cap", tx_id=outcome.tx_id.hex())
        return json_response({"tx_id": outcome.tx_id.hex(), "code": outcome.code, "account": account,
                              "cap_minor": body.cap_minor})

    return router

