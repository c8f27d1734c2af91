"""Payout callbacks: where the receiving FSP's operator posts a payout's final state (MTN's X-Callback-Url).

The operator holds no Inzira token: the URL itself, with its per-payout token, is the credential
(``inzira.remit.payout_callbacks``). A lean route: it is on every remittance's path.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from inzira.api.responses import problem_docs
from inzira.qr.api.lean import LeanRoute, params
from inzira.remit.api.deps import PREFIX, answers_problems
from inzira.remit.service import RemitService

_TEXT = {"type": "string", "maxLength": 64}
_PARAMS = params(("fsp", "path", _TEXT, "The receiving FSP"),
                 ("reference_id", "path", _TEXT, "The payout's X-Reference-Id"),
                 ("token", "path", _TEXT, "The token this payout's callback URL was given"))


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["remit: payouts"])

    @answers_problems
    async def callback(request: Request) -> Response:
        found = request.path_params
        await service.payout_callback(found["fsp"], found["reference_id"], found["token"], await request.body())
        return Response(status_code=200)

    router.add_api_route("/payouts/{fsp}/callbacks/{reference_id}/{token}", callback, methods=["POST"],
                         route_class_override=LeanRoute, response_class=Response, include_in_schema=True,
                         summary="The operator's payout callback (the URL sent as X-Callback-Url)",
                         openapi_extra={**_PARAMS, "requestBody": {"required": True, "content": {
                             "application/json": {"schema": {"type": "object"}}}}},
                         responses={200: {"description": "taken"}, **problem_docs(400, 403)})
    return router
