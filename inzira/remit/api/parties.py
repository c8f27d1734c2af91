"""Party look-up and the directory: who serves a phone number, and listing numbers on chain."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller
from inzira.qr.api.lean import LeanRoute, params
from inzira.remit.api.deps import PREFIX, answers_problems, lean_caller
from inzira.remit.api.models import DirectoryBody, PartyView, Registration
from inzira.remit.service import RemitService


MSISDN_CHARS_MAX = 64


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["remit: parties"])

    # On every remittance's path: a lean route (inzira.qr.api.lean).
    @answers_problems
    async def lookup(request: Request) -> Response:
        """Validates the number (a Rwandan mobile number), asks the directory operator which FSP serves it (as
        the caller: counted against the caller's allowance, 429 with Retry-After beyond it, and logged for the
        regulator) and has that FSP confirm the wallet. Only sending FSPs look numbers up (403 otherwise).
        Unknown number: 404 with code 3204."""
        caller = await lean_caller(request)
        msisdn: str = request.path_params["msisdn"]
        if len(msisdn) > MSISDN_CHARS_MAX:
            raise RequestValidationError([{"loc": ("path", "msisdn"), "type": "string_too_long", "input": msisdn,
                                           "msg": f"String should have at most {MSISDN_CHARS_MAX} characters"}])
        return json_response((await service.lookup(caller.member, msisdn)).json())

    router.add_api_route("/parties/MSISDN/{msisdn}", lookup, methods=["GET"], route_class_override=LeanRoute,
                         summary="Who serves this number, and the receiver's masked name", response_class=Response,
                         openapi_extra=params(("msisdn", "path", {"type": "string", "maxLength": MSISDN_CHARS_MAX},
                                               "E.164, e.g. +250788123456")),
                         responses={**ok_doc(PartyView, "the party"),
                                    **problem_docs(400, 401, 403, 404, 429, 503)})

    @router.post("/directory", summary="List a wallet's number in the directory (receiving FSP)",
                 response_class=Response,
                 responses={**ok_doc(Registration, "listed"),
                            202: {"model": Registration, "description": "listed for another FSP: a dispute the "
                                                                       "regulator decides (state DISPUTED)"},
                            **problem_docs(400, 401, 403, 404, 429, 503)})
    @answers_problems
    async def register(body: DirectoryBody, caller: Caller = Depends(require_caller)) -> Response:
        """The service sends the directory operator a request signed with the caller's key (a receiving FSP);
        the operator confirms the wallet with the caller's account-holder API and lists the number's keyed hash
        on chain (SetParty, signed by the operator). A number listed for another FSP is not taken over: 202,
        state DISPUTED, and the regulator decides."""
        answer = await service.register_number(caller.member, body.msisdn)
        return json_response(answer, 202 if answer.get("state") == "DISPUTED" else 200)

    @router.delete("/directory/{msisdn}", summary="Unlist a number (receiving FSP)", response_class=Response,
                   responses={**ok_doc(Registration, "unlisted"), **problem_docs(400, 401, 403, 429)})
    @answers_problems
    async def unregister(msisdn: str = Path(max_length=64), caller: Caller = Depends(require_caller)) -> Response:
        return json_response(await service.register_number(caller.member, msisdn, active=False))

    return router
