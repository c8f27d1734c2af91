"""The remittance service's HTTP API, under /v1/remit/ (inzira/remit/API.md is the map of it).

    app = create_app(runtime, routers=remit_routers(service))
    app.state.on_server_stop.append(service.close_streams)  # event streams end when the server stops
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from inzira.remit.api import (compliance, events, flagged, fsp, liquidity, parties, payouts, quotes, regulator,
                              transfers, webhooks)
from inzira.remit.api.flagged_metrics import export_flagged
from inzira.remit.service import RemitService


def remit_routers(service: RemitService) -> list[APIRouter]:
    return [module.router_for(service) for module in
            (parties, quotes, transfers, compliance, liquidity, events, regulator, webhooks, flagged, payouts)]


def mount_remit(app: FastAPI, service: RemitService) -> None:
    """Add the routers to an app made by ``create_app``, export the flagged payouts in its metrics, and end the
    event streams when its server stops."""
    for router in remit_routers(service):
        app.include_router(router)
    app.openapi_schema = None
    context = getattr(app.state, "api", None)
    if context is not None:  # an app made by ``create_app``: its /metrics tells the flagged payouts too
        export_flagged(context.metrics.registry, service)
    hooks = getattr(app.state, "on_server_stop", None)
    if hooks is not None:
        hooks.append(service.close_streams)


def mount_fsp(app: FastAPI, service: RemitService) -> None:
    """Add the inter-FSP routes (``/v1/fsp``): a receiving FSP's own deployment answers sending FSPs' ones."""
    app.include_router(fsp.router_for(service))
    app.openapi_schema = None
