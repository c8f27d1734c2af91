"""Party look-up and the directory: who serves a phone number, and listing numbers on chain."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller
from inzira.remit.api.deps import PREFIX, answers_problems
from inzira.remit.api.models import DirectoryBody, PartyView, Registration
from inzira.remit.service import RemitService


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["remit: parties"])

    @router.get("/parties/MSISDN/{msisdn}", summary="Who serves this number, and the receiver's masked name",
                response_class=Response, responses={**ok_doc(PartyView, "the party"), **problem_docs(400, 401, 404)})
    @answers_problems
    async def lookup(msisdn: str = Path(max_length=64, description="E.164, e.g. +250788123456"),
                     caller: Caller = Depends(require_caller)) -> Response:
        """Validates the number (a Rwandan mobile number), finds its receiving FSP in the on-chain directory
        and has that FSP confirm the wallet. Unknown number: 404 with code 3204."""
        return json_response((await service.lookup(msisdn)).json())

    @router.post("/directory", summary="List a wallet's number in the directory (receiving FSP)",
                 response_class=Response, responses={**ok_doc(Registration, "listed"),
                                                     **problem_docs(400, 401, 403, 404)})
    @answers_problems
    async def register(body: DirectoryBody, caller: Caller = Depends(require_caller)) -> Response:
        """The caller (a receiving FSP) confirms the wallet through its payout adapter, then registers the
        number's keyed hash on chain (SetParty)."""
        return json_response(await service.register_number(caller.member, body.msisdn))

    @router.delete("/directory/{msisdn}", summary="Unlist a number (receiving FSP)", response_class=Response,
                   responses={**ok_doc(Registration, "unlisted"), **problem_docs(400, 401, 403)})
    @answers_problems
    async def unregister(msisdn: str = Path(max_length=64), caller: Caller = Depends(require_caller)) -> Response:
        return json_response(await service.register_number(caller.member, msisdn, active=False))

    return router
