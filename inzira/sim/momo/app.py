"""The simulator's FastAPI app factory: one operator, its books, its API and its admin API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from inzira.api.body_limit import BodySizeLimit
from inzira.api.docs_pages import install_api_docs
from inzira.api.settings import TELEMETRY_OFF
from inzira.sim.momo.admin_api import AdminUnauthorized, admin_router
from inzira.sim.momo.api import disbursement_router
from inzira.sim.momo.auth import TokenIssuer
from inzira.sim.momo.config import MomoSimConfig
from inzira.sim.momo.processor import Processor
from inzira.sim.momo.store import Refused, WalletStore
from inzira.sim.momo.wire import BadRequest, error_body

# HTTP status of each refusal the books can give.
_REFUSAL_STATUS = {
    "RESOURCE_ALREADY_EXIST": 409,  # MTN: any reuse of an X-Reference-Id
    "WALLET_EXISTS": 409,
    "INVALID_BALANCE": 400,
    "WALLETS_FULL": 503,
    "SERVICE_UNAVAILABLE": 503,
}


def create_app(config: MomoSimConfig | None = None) -> FastAPI:
    """A fresh simulator; its state lives as long as the app (in memory unless ``config.db_path`` is a file)."""
    config = config or MomoSimConfig()
    store = WalletStore(config)
    issuer = TokenIssuer(config)
    processor = Processor(config, store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await processor.stop()
            store.close()

    app = FastAPI(title="Inzira mobile-money operator simulator (MTN MoMo Disbursement shape)", lifespan=lifespan,
                  telemetry=TELEMETRY_OFF, docs_url=None, redoc_url=None)
    app.include_router(disbursement_router(config, store, issuer, processor))
    app.include_router(admin_router(config, store, issuer, processor))
    install_api_docs(app)

    @app.exception_handler(BadRequest)
    async def bad_request(_request: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=400)

    @app.exception_handler(AdminUnauthorized)
    async def admin_unauthorized(_request: Request, _exc: AdminUnauthorized) -> JSONResponse:
        return JSONResponse(error_body("UNAUTHORIZED", "send Authorization: Bearer <the simulator's admin token>"),
                            status_code=401, headers={"WWW-Authenticate": 'Bearer realm="momo-sim-admin"'})

    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=_REFUSAL_STATUS.get(exc.code, 500))

    app.add_middleware(BodySizeLimit, body_bytes_max=config.body_bytes_max)
    return app
