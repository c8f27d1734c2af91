"""The FX provider's quote service as an app of its own: the desk's route alone, with the API's problem+json
refusals and OpenAPI document, hot-route table and body limit, for a process that holds the FX provider's key
and nothing else (no ledger: a desk signs quotes, it neither reads nor submits). ``inzira bench remit`` serves it
in its own process, as the FX provider's own deployment would.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fastapi import FastAPI

from inzira import __version__
from inzira.api.body_limit import BodySizeLimit
from inzira.api.docs_pages import install_api_docs
from inzira.api.hot_routes import HotRoutes
from inzira.api.openapi import install_openapi
from inzira.api.problems import install_problem_handlers
from inzira.api.settings import TELEMETRY_OFF
from inzira.fx.desk import FxDesk
from inzira.fx.quota import QuoteQuota
from inzira.fx.service import fx_router
from inzira.node.signer import wall_clock_ms

BODY_BYTES_MAX = 16 * 1024  # a quote request is a few hundred bytes


def fx_app(desk: FxDesk, client_tokens: Mapping[str, str], clock_ms: Callable[[], int] = wall_clock_ms,
           quota: QuoteQuota | None = None) -> FastAPI:
    """``client_tokens``: member -> the client token the FX provider issued it (``fx-clients.json``); ``quota``:
    each client's allowance of quotes."""
    app = FastAPI(title="Inzira FX quotes", version=__version__, telemetry=TELEMETRY_OFF,
                  docs_url=None, redoc_url=None)
    HotRoutes.install(app.router)
    app.include_router(fx_router(desk, client_tokens, clock_ms, quota=quota))
    install_problem_handlers(app)
    install_openapi(app, "The FX provider's firm quotes (inzira.fx.service).")
    install_api_docs(app)
    app.add_middleware(BodySizeLimit, body_bytes_max=BODY_BYTES_MAX)
    return app
