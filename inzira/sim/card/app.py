"""The simulator's FastAPI app factory: one merchant account at one card acquirer, its books, its API, the
card form's target and the admin API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from inzira.api.body_limit import BodySizeLimit
from inzira.api.docs_pages import install_api_docs
from inzira.api.settings import TELEMETRY_OFF
from inzira.sim.card.admin_api import admin_router
from inzira.sim.card.api import merchant_router
from inzira.sim.card.config import CardSimConfig
from inzira.sim.card.pay_form import pay_router
from inzira.sim.card.processor import Processor
from inzira.sim.card.store import SessionStore
from inzira.sim.card.wire import BadRequest, Refused, error_body

# HTTP status of each refusal the books can give.
_REFUSAL_STATUS = {
    "reference_reused": 409,
    "not_refundable": 409,
    "no_such_payment": 404,
    "no_such_session": 404,
    "sessions_full": 503,
    "too_many_open_sessions": 503,
}


def create_app(config: CardSimConfig | None = None) -> FastAPI:
    """A fresh simulator; its state lives as long as the app (in memory unless ``config.db_path`` is a file)."""
    config = config or CardSimConfig()
    store = SessionStore(config)
    processor = Processor(config, store)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        processor.resume()
        try:
            yield
        finally:
            await processor.stop()
            store.close()

    app = FastAPI(title="Inzira card acquirer simulator (hosted payment sessions)", lifespan=lifespan,
                  telemetry=TELEMETRY_OFF, docs_url=None, redoc_url=None)
    app.include_router(merchant_router(config, store, processor))
    app.include_router(pay_router(processor))
    app.include_router(admin_router(config, store, processor))
    install_api_docs(app)

    @app.exception_handler(BadRequest)
    async def bad_request(_request: Request, exc: BadRequest) -> JSONResponse:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=400)

    @app.exception_handler(Refused)
    async def refused(_request: Request, exc: Refused) -> JSONResponse:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=_REFUSAL_STATUS.get(exc.code, 400))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body("invalid_request", str(exc.errors())[:500]), status_code=400)

    app.add_middleware(BodySizeLimit, body_bytes_max=config.body_bytes_max)
    return app
