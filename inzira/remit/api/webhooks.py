"""Webhook subscriptions: a member's backend gets every event that concerns the member, signed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller
from inzira.ledger.codes import Code
from inzira.remit.api.deps import PREFIX, answers_problems
from inzira.remit.api.models import Webhook, WebhookBody
from inzira.remit.codes import RemitError
from inzira.remit.service import RemitService


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=f"{PREFIX}/webhooks", tags=["remit: webhooks"])

    @router.post("", summary="Subscribe a URL to the member's events", status_code=201, response_class=Response,
                 responses={**ok_doc(Webhook, "subscribed"), **problem_docs(400, 401, 403)})
    @answers_problems
    async def add(body: WebhookBody, caller: Caller = Depends(require_caller)) -> Response:
        """Each event is POSTed as JSON `{id, type, at_ms, transfer_id, data, member}` with the header
        `Inzira-Signature: t=<unix ms>,kid=<member>,ed25519=<hex>` over `"<t>." + body`, signed with the
        member's own key (its public key is in the genesis). Retried with backoff; dedupe by `id`."""
        return json_response(await service.webhooks.add(caller.member, body.url), 201)

    @router.get("", summary="The member's webhook subscriptions", response_class=Response,
                responses={200: {"description": "{items: [Webhook]}"}, **problem_docs(401)})
    @answers_problems
    async def list_hooks(caller: Caller = Depends(require_caller)) -> Response:
        return json_response({"items": service.notices.webhooks(caller.member)})

    @router.delete("/{hook_id}", summary="Unsubscribe", status_code=204, response_class=Response,
                   responses=problem_docs(401, 404))
    @answers_problems
    async def remove(hook_id: str = Path(max_length=64), caller: Caller = Depends(require_caller)) -> Response:
        if not service.webhooks.remove(caller.member, hook_id):
            raise RemitError(404, Code.NOT_FOUND, f"no webhook {hook_id} for {caller.member}")
        return Response(status_code=204)

    return router
