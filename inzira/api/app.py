"""The app factory: the ledger's routers over a runtime, problem+json errors, body limits, OpenAPI.

Other services add their own routers, either at creation (``create_app(runtime, routers=[...])``) or later
with ``app.include_router``; their handlers reach the runtime with ``Depends(api_context)``, the caller with
``Depends(require_caller)``, and answer errors by raising ``Problem``.

What a service keeps on the server's event loop goes with it: the async callables in ``app.state.on_loop_end``
(an owner's ``aclose``: its HTTP client pools, opened by the handlers on this loop) are awaited as the app's
lifespan ends, on that loop, before it closes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from inzira import __version__
from inzira.api.body_limit import BodySizeLimit
from inzira.api.context import ApiContext
from inzira.api.docs_pages import install_api_docs
from inzira.api.hot_routes import HotRoutes
from inzira.api.openapi import install_openapi
from inzira.api.problems import install_problem_handlers
from inzira.api.routes import accounts, blocks, events, meta, pending, receipts, tickets, transactions
from inzira.api.runtime import LedgerRuntime
from inzira.api.settings import TELEMETRY_OFF, ApiSettings
from inzira.http.closing import aclose_each

BATCH_PATH = "/v1/transactions/batch"

DESCRIPTION = """Inzira's permissioned payment ledger.

Authenticate with `Authorization: Bearer <api token>` (tokens are accepted in that header only; an event stream
opened where no header can be sent, such as a browser's EventSource, takes `?ticket=` from `POST /v1/tickets`,
valid 60 s). Members with the regulator, central_bank or auditor
role see everything; every other member sees its own accounts, the transactions it signed or that touch its
accounts, and every block header. Reads of something the caller may not see answer 404, as if it did not
exist. A member submits only transactions whose body names it as the submitter.

Errors are RFC 9457 `application/problem+json` with a stable 4-digit `code` (Mojaloop's where one fits).
A ledger rejection (422, or 409 for a modified request) is itself in a block, with `tx_id`, `height` and
`index`, and has a receipt.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await aclose_each(app.state.on_loop_end)


def create_app(runtime: LedgerRuntime, *, settings: ApiSettings | None = None,
               routers: Sequence[APIRouter] = ()) -> FastAPI:
    settings = settings or ApiSettings()
    app = FastAPI(title=settings.title, version=__version__, description=DESCRIPTION, lifespan=_lifespan,
                  telemetry=TELEMETRY_OFF, docs_url=None, redoc_url=None)
    app.state.api = ApiContext.build(runtime, settings)
    app.state.on_server_stop = [app.state.api.close_streams]  # see inzira.api.server
    app.state.on_loop_end = []  # see the module
    HotRoutes.install(app.router)  # routes on a payment path, found without the router's walk
    for module in (transactions, receipts, accounts, pending, blocks, events, tickets, meta):
        app.include_router(module.router)
    for router in routers:
        app.include_router(router)
    install_problem_handlers(app)
    install_openapi(app, DESCRIPTION)
    install_api_docs(app)
    by_path = {BATCH_PATH: settings.batch_body_bytes_max, **settings.body_bytes_max_by_path}
    app.add_middleware(BodySizeLimit, body_bytes_max=settings.body_bytes_max, by_path=by_path)
    return app
