"""A hand-made MTN-style disbursement operator, for the answers the simulator never gives: it confirms every
wallet, takes every transfer (kept in ``taken`` by reference id) and answers the POST as the test says; the
test adds how it answers GET /transfer/{referenceId}."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

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
