"""The merchant's API of the simulated acquirer (payment sessions, in the shape of hosted-checkout APIs such
as Stripe Checkout or Adyen's sessions), authenticated with the merchant's secret API key.

POST /v1/sessions             NewSession -> 201 SessionView (the same reference and terms again: 200, the same)
GET  /v1/sessions/{id}        -> SessionView: the truth a merchant confirms a callback with
POST /v1/refunds              {"payment_id"} -> SessionView, status refunded (a full refund of an authorization)
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any, TypeVar

import msgspec
from fastapi import APIRouter, Request, Response

from inzira.sim.card.config import CardSimConfig
from inzira.sim.card.notifier import now_ms
from inzira.sim.card.processor import Processor
from inzira.sim.card.store import SessionStore
from inzira.sim.card.wire import (
    PAYMENT_ID_RE,
    REFERENCE_RE,
    SESSION_ID_RE,
    BadRequest,
    NewSession,
    RefundRequest,
    check_url,
    error_body,
    view,
)

T = TypeVar("T")


def json_response(value: Any, status_code: int = 200) -> Response:
    return Response(msgspec.json.encode(value), status_code=status_code, media_type="application/json")


async def decode(request: Request, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(await request.body(), type=kind)
    except msgspec.DecodeError as exc:
        raise BadRequest("invalid_body", f"the body is not a {kind.__name__}: {exc}") from None


def bearer_ok(request: Request, secret: str) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), secret.encode())


def unauthorized() -> Response:
    return json_response(error_body("unauthorized", "send Authorization: Bearer <secret API key>"), 401)


def merchant_router(config: CardSimConfig, store: SessionStore, processor: Processor) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["merchant"])

    async def answer(value: Any, status_code: int = 200) -> Response:
        """The answer, as late as the behaviour says (the work is done already)."""
        await asyncio.sleep(processor.behaviour.api_delay_ms / 1000)
        return json_response(value, status_code)

    @router.post("/sessions")
    async def create_session(request: Request) -> Response:
        if not bearer_ok(request, config.api_key):
            return unauthorized()
        new = await decode(request, NewSession)
        if new.currency not in config.currencies:
            raise BadRequest("invalid_currency", f"currency must be one of {list(config.currencies)}")
        if not 0 < new.amount_minor <= config.amount_minor_max:
            raise BadRequest("invalid_amount", f"amount_minor must be in 1..{config.amount_minor_max}")
        if not REFERENCE_RE.fullmatch(new.reference):
            raise BadRequest("invalid_reference", "reference: 1 to 64 of A-Z a-z 0-9 _ . : -")
        if new.return_url is not None:
            check_url(new.return_url, "return_url")
        ttl_ms = config.session_ttl_ms if new.expires_in_ms is None else new.expires_in_ms
        if not config.session_ttl_ms_min <= ttl_ms <= config.session_ttl_ms_max:
            raise BadRequest("invalid_expiry",
                             f"expires_in_ms must be in {config.session_ttl_ms_min}..{config.session_ttl_ms_max}")
        session, made = store.create(new, ttl_ms, now_ms())
        return await answer(view(session, str(request.base_url)), 201 if made else 200)

    @router.get("/sessions/{session_id}")
    async def get_session(session_id: str, request: Request) -> Response:
        if not bearer_ok(request, config.api_key):
            return unauthorized()
        found = store.get(session_id, now_ms()) if SESSION_ID_RE.fullmatch(session_id) else None
        if found is None:
            return json_response(error_body("no_such_session", f"no session {session_id[:40]!r}"), 404)
        return await answer(view(found, str(request.base_url)))

    @router.post("/refunds")
    async def refund(request: Request) -> Response:
        if not bearer_ok(request, config.api_key):
            return unauthorized()
        wanted = await decode(request, RefundRequest)
        if not PAYMENT_ID_RE.fullmatch(wanted.payment_id):
            raise BadRequest("invalid_payment_id", "payment_id is cp_ and 24 hex digits")
        return await answer(view(processor.refund(wanted.payment_id), str(request.base_url)))

    return router
