"""The simulator's own admin API (no acquirer has it), behind ``Authorization: Bearer <admin token>``:
behaviour knobs, the callback target, sessions as stored, the callbacks sent, and counters.

GET  /admin/behaviour, PUT /admin/behaviour   Behaviour (replaced whole)
GET  /admin/webhook,   PUT /admin/webhook     {"url": "http://127.0.0.1:.../..." or null}
GET  /admin/sessions/{id}                     -> SessionView
GET  /admin/callbacks?limit=N                 -> {"callbacks": [SentCallback, ...]} newest first
GET  /admin/stats                             -> SimStats
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from inzira.sim.card.api import bearer_ok, decode, json_response
from inzira.sim.card.config import Behaviour, CardSimConfig
from inzira.sim.card.notifier import now_ms
from inzira.sim.card.processor import Processor
from inzira.sim.card.store import SessionStore
from inzira.sim.card.wire import SESSION_ID_RE, BadRequest, SimStats, WebhookTarget, error_body, view


def admin_router(config: CardSimConfig, store: SessionStore, processor: Processor) -> APIRouter:
    router = APIRouter(prefix="/admin", tags=["admin"])

    def refusal(request: Request) -> Response | None:
        if bearer_ok(request, config.admin_token):
            return None
        return json_response(error_body("unauthorized", "send Authorization: Bearer <admin token>"), 401)

    @router.get("/behaviour")
    async def behaviour(request: Request) -> Response:
        return refusal(request) or json_response(processor.behaviour)

    @router.put("/behaviour")
    async def set_behaviour(request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        wanted = await decode(request, Behaviour)
        processor.set_behaviour(wanted)
        return json_response(wanted)

    @router.get("/webhook")
    async def webhook(request: Request) -> Response:
        return refusal(request) or json_response(WebhookTarget(processor.notifier.webhook_url))

    @router.put("/webhook")
    async def set_webhook(request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        wanted = await decode(request, WebhookTarget)
        processor.notifier.set_webhook_url(wanted.url)
        return json_response(wanted)

    @router.get("/sessions/{session_id}")
    async def session(session_id: str, request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        found = store.get(session_id, now_ms()) if SESSION_ID_RE.fullmatch(session_id) else None
        if found is None:
            return json_response(error_body("no_such_session", f"no session {session_id[:40]!r}"), 404)
        return json_response(view(found, str(request.base_url)))

    @router.get("/callbacks")
    async def callbacks(request: Request, limit: int = 50) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        if not 0 < limit <= config.callback_log_max:
            raise BadRequest("invalid_limit", f"limit must be in 1..{config.callback_log_max}")
        return json_response({"callbacks": list(processor.notifier.log)[:limit]})

    @router.get("/stats")
    async def stats(request: Request) -> Response:
        refused = refusal(request)
        if refused is not None:
            return refused
        notifier = processor.notifier
        return json_response(SimStats(store.counts(), notifier.sent, notifier.failed, notifier.dropped))

    return router
