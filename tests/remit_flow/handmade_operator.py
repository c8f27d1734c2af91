"""A hand-made MTN-style disbursement operator, for the answers the simulator never gives: it confirms every
wallet, takes every transfer (kept in ``taken`` by reference id) and answers the POST as the test says; the
test adds how it answers GET /transfer/{referenceId}. ``serve_polling_payee`` puts mobimo's receiving service
in front of such an operator."""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from inzira.remit.service import RemitService
from inzira.remit.settings import RemitSettings
from inzira.sim.server import serve_app
from tests.remit_flow.inter_fsp import Pair, serve_service

TOKEN = {"access_token": "t", "token_type": "access_token", "expires_in": 3600}


def operator_app(taken: dict[str, dict], post_answer: Response) -> FastAPI:
    app = FastAPI()

    @app.post("/disbursement/token/")
    async def token() -> Response:
        return JSONResponse(TOKEN)

    @app.get("/disbursement/v1_0/accountholder/msisdn/{msisdn}/basicuserinfo")
    async def holder(msisdn: str) -> Response:
        return JSONResponse({"given_name": "Jeanne", "family_name": "Uwase", "name": "Jeanne Uwase"})

    @app.get("/disbursement/v1_0/accountholder/msisdn/{msisdn}/active")
    async def active(msisdn: str) -> Response:
        return JSONResponse({"result": True})

    @app.post("/disbursement/v1_0/transfer")
    async def transfer(request: Request) -> Response:
        taken.setdefault(request.headers["X-Reference-Id"], await request.json())
        return Response(post_answer.body, post_answer.status_code, media_type=post_answer.media_type)

    return app


def serve_polling_payee(stack: contextlib.ExitStack, pair: Pair, operator: FastAPI, folder: Path,
                        **settings: Any) -> tuple[Pair, RemitService]:
    """mobimo's receiving service paying through ``operator`` (polling: no callback URL is given), served for
    quotes, with these ``RemitSettings`` besides; stopped with ``stack``."""
    base_url = stack.enter_context(serve_app(operator)).base_url
    config = {"kind": "momo-http", "base_url": base_url, "subscription_key": "k",
              "api_user": str(uuid.uuid4()), "api_key": "s", "target_environment": "mtnrwanda",
              "retries_max": 1, "retry_backoff_ms": 10, "retry_backoff_max_ms": 20}
    payee = RemitService(pair.flow.net, pair.keys.ports(pair.flow.net, ["mobimo"]), folder,
                         RemitSettings(payout_adapters={"mobimo": config}, reconcile_interval_ms=200, **settings),
                         fx=pair.flow.providers.fx_client(["mobimo"]),
                         funding=pair.flow.providers.funding_client(["mobimo"])).start()
    stack.callback(payee.stop)
    return dataclasses.replace(pair, payee_url=serve_service(stack, pair.flow, payee, fsp=True)), payee
