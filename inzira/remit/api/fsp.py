"""Between FSPs' deployments (``/v1/fsp/{fsp}/...``): a receiving FSP's own deployment answers a sending FSP's
wallet look-ups and quotes (``inzira.remit.payee_desk``).

No bearer token: each request is signed with the calling member's key (``inzira.peer.peer_auth``: method, path,
time, chain id and body), checked against that member's keys in the ledger state, within a minute of now, taken
once (a replayed signature is refused), and only from a member with the ``sending_fsp`` role.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel
from starlette.responses import Response

from inzira.api.codes import ApiCode
from inzira.api.problems import Problem
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.ledger.codes import Code
from inzira.peer.peer_auth import MEMBER_HEADER, SIGNATURE_HEADER, TIME_HEADER, Replays, check_request
from inzira.remit.api.deps import answers_problems
from inzira.remit.fsp_wire import PayeeQuoteBody
from inzira.remit.service import RemitService

FSP_PREFIX = "/v1/fsp"
BUSY_RETRY_AFTER_S = 5
FspId = Annotated[str, Path(min_length=1, max_length=64, pattern="^[a-z0-9-]+$")]
_SIGNED = {"parameters": [
    {"name": MEMBER_HEADER, "in": "header", "required": True,
     "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$", "maxLength": 64},
     "description": "The calling member (a sending FSP)"},
    {"name": TIME_HEADER, "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,15}$"},
     "description": "When it signed, ms since the epoch: within 60 s of the receiver's clock"},
    {"name": SIGNATURE_HEADER, "in": "header", "required": True,
     "schema": {"type": "string", "pattern": "^[0-9a-f]{128}$"},
     "description": "Ed25519 by one of the member's keys over the chain id, method, path, time and body's hash"}]}


class PartyModel(BaseModel):
    msisdn: str
    fsp_id: str
    masked_name: str
    active: bool
    holder_reasons: list[dict[str, Any]]


class PayeeQuoteModel(BaseModel):
    quote_id: str
    condition: str
    amount_received_minor: int
    receiving_fee_minor: int
    currency: str
    expires_at_ms: int


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=FSP_PREFIX, tags=["fsp: between FSPs' deployments"])
    replays = Replays()  # the server's loop is the only one touching it

    async def sending_fsp(request: Request) -> str:
        """The calling sending FSP, from its signature (401, 403, 503 otherwise)."""
        body = await request.body()
        state = service.node.state
        keys = state.member_keys()
        now_ms = service.clock_ms()
        member, why = check_request(request.headers, service.node.chain_id, keys, request.method, request.url.path,
                                    now_ms, body)
        if member is None:
            raise Problem(401, ApiCode.UNAUTHENTICATED, why)
        if not state.holds_role(member, "sending_fsp"):
            raise Problem(403, Code.PERMISSION, f"{member} is not a sending FSP")
        refused = replays.take(member, request.headers, now_ms)
        if refused == "replayed":
            raise Problem(401, ApiCode.UNAUTHENTICATED, "this signed request was already made: sign each one anew")
        if refused:
            raise Problem(503, ApiCode.BUSY, f"too many of {member}'s signed requests at once: try again",
                          headers={"Retry-After": str(BUSY_RETRY_AFTER_S)})
        return member

    @router.get("/{fsp}/parties/MSISDN/{msisdn}", summary="A wallet at one of this receiving FSP's numbers "
                "(signed request of a sending FSP)", response_class=Response, openapi_extra=_SIGNED,
                responses={**ok_doc(PartyModel, "the wallet"), **problem_docs(400, 401, 403, 404, 429, 503)})
    @answers_problems
    async def party(fsp: FspId, msisdn: Annotated[str, Path(max_length=64)],
                    caller: str = Depends(sending_fsp)) -> Response:
        """The holder's masked name, whether the wallet can receive, and the holder's name screened by this
        FSP (only the list entries it matches). 404 code 3204 when it holds no wallet at the number."""
        return json_response(await service.payee_desk.lookup(fsp, caller, msisdn))

    @router.post("/{fsp}/quotes", summary="Agree to a quote's terms and lock them with this FSP's condition "
                 "(signed request of a sending FSP)", response_class=Response, openapi_extra=_SIGNED,
                 responses={**ok_doc(PayeeQuoteModel, "the terms agreed, and the condition"),
                            **problem_docs(400, 401, 403, 404, 409, 422, 429, 503)})
    @answers_problems
    async def quote(fsp: FspId, body: PayeeQuoteBody, caller: str = Depends(sending_fsp)) -> Response:
        """The receiving fee must be this FSP's by its schedule (422, 5105, otherwise); the wallet must exist
        (404, 3204) and be able to receive (422, 5400). The terms are kept on disk before the answer: a
        reservation under this quote id that credits exactly these amounts, under this condition, naming this
        FSP as payee, is paid out once. The same quote id and body again answers the same; another body, 409
        3106."""
        return json_response(await service.payee_desk.quote(fsp, caller, body))

    return router
