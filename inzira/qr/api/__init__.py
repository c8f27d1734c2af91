"""The QR payment service's HTTP API under ``/v1/qr``: routers to add to the ledger API's app.

    app = create_app(runtime, settings=ApiSettings(body_bytes_max_by_path=QR_BODY_LIMITS),
                     routers=qr_routers(service))
    prioritize(app)                                        # the payment path first: see its note
    app.state.on_server_stop.append(service.close_streams)

Endpoints, tokens and error codes are described in ``docs/qr-payments.md`` and in the OpenAPI document
(``/docs``, tags "qr ...").
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from inzira.qr.api.auth import SECURED, dependencies
from inzira.qr.api.merchant_payments import merchant_payments_router
from inzira.qr.api.merchants import merchants_router
from inzira.qr.api.paying import IMAGE_BYTES_MAX, IMAGE_PATH, paying_router
from inzira.qr.api.streams import streams_router
from inzira.qr.api.token_routes import token_router
from inzira.qr.api.topups import card_notifications_router, topups_router
from inzira.qr.api.wallets import wallets_router
from inzira.qr.service import QrService
from inzira.qr.views import PREFIX

# Request bodies above the API's default limit: photos of QR codes.
QR_BODY_LIMITS: dict[str, int] = {IMAGE_PATH: IMAGE_BYTES_MAX}


def qr_routers(service: QrService) -> list[APIRouter]:
    """The routers, the payment path first (FastAPI tries routes in order)."""
    principal, principal_or_ticket = dependencies(service)
    routers = [
        paying_router(service, principal),
        wallets_router(service, principal),
        topups_router(service, principal),
        merchants_router(service, principal, principal_or_ticket),
        merchant_payments_router(service, principal),
        streams_router(service, principal, principal_or_ticket),
        token_router(service, principal),
    ]
    for router in routers:
        for route in router.routes:
            if isinstance(route, APIRoute):
                route.openapi_extra = {**(route.openapi_extra or {}), **SECURED}
    return [*routers, card_notifications_router(service)]  # signed by the acquirer: no token


def prioritize(app: FastAPI) -> None:
    """Move the QR routes ahead of the ledger API's in an app made by ``create_app``.

    FastAPI (0.165) matches a request against every route of every router included before the one that
    serves it; the ledger's routers all sit under /v1, so each QR request first walked through all of them:
    about a third of a request's time. Call once, after ``create_app``, before serving.
    """
    routes = app.router.routes
    qr = [r for r in routes if str(getattr(getattr(r, "original_router", None), "prefix", "")).startswith(PREFIX)]
    routes[:] = qr + [r for r in routes if r not in qr]
