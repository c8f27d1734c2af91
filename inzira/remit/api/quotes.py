"""Quotes: the full price disclosure and the hashlock condition, firm until it expires."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller
from inzira.qr.api import lean
from inzira.qr.api.lean import LeanRoute
from inzira.remit.api.deps import PREFIX, answers_problems, lean_caller, require_role
from inzira.remit.api.models import QuoteBody, QuoteView
from inzira.remit.api.views import fsp_name
from inzira.remit.codes import RemitCode, RemitError
from inzira.remit.disclosure import disclosure
from inzira.remit.quotes import AmountType, QuoteRequest
from inzira.remit.service import RemitService


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["remit: quotes"])

    def view(terms):  # type: ignore[no-untyped-def]
        return disclosure(terms, fsp_name(service, terms.receiving_fsp), service.settings.transfer_ttl_ms)

    # On every remittance's path: a lean route (inzira.qr.api.lean).
    @answers_problems
    async def quote(request: Request) -> Response:
        """"Send 200.00 EUR" (`amount_type` SEND, 20000, EUR) or "the receiver gets 300,000 RWF" (RECEIVE,
        300000, RWF, `source_currency` EUR). Looks the receiver up first (3204 if unknown). The FX provider's
        firm quote, the receiving FSP's fee and condition and the sending FSP's fee, firm until
        `expires_at_ms`; a transfer on an expired quote is refused with 3302."""
        caller = await lean_caller(request)
        require_role(caller, "sending_fsp")
        body = await lean.body(request, QuoteBody)
        amount_type = AmountType(body.amount_type)
        source = body.source_currency or (body.currency if amount_type is AmountType.SEND else "")
        if not source:
            raise RemitError(400, 3100, "a RECEIVE quote needs source_currency")
        request = QuoteRequest(amount_type, body.amount_minor, body.currency, source, body.sender_name or "",
                               body.receiver_name or "")
        terms = await service.quote(caller.member, body.receiver_msisdn, request)
        return json_response(view(terms), 201, {"Location": f"{PREFIX}/quotes/{terms.quote_id}"})

    router.add_api_route("/quotes", quote, methods=["POST"], route_class_override=LeanRoute, status_code=201,
                         summary="A firm quote with the full cost disclosure (sending FSP)", response_class=Response,
                         openapi_extra=lean.json_body(QuoteBody),
                         responses={201: {"model": QuoteView, "description": "the quote"},
                                    **problem_docs(400, 401, 403, 404)})

    @router.get("/quotes/{quote_id}", summary="A quote given earlier", response_class=Response,
                responses={**ok_doc(QuoteView, "the quote"), **problem_docs(401, 404)})
    @answers_problems
    async def get_quote(quote_id: str = Path(max_length=64), caller: Caller = Depends(require_caller)) -> Response:
        found = service.transfers.quote(quote_id)
        if found is None or not (caller.sees_all or found[0].sending_fsp == caller.member):
            raise RemitError(404, RemitCode.QUOTE_NOT_FOUND, f"no quote {quote_id}")
        return json_response({**view(found[0]), "used_by": found[1]})

    return router
