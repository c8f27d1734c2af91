"""An operator whose answers are JSON nested past msgspec's depth: the adapter's own errors, never the
RecursionError msgspec raises (out of every payout call, the token's included, and out of the callback route)."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI, Request, Response
from momo_helpers import FAST_RETRIES, JEANNE

from inzira.remit.payout import PayoutError, PayoutStatus, adapter_from_config
from inzira.sim.server import serve_app

pytestmark = pytest.mark.anyio
DEEP = b'{"amount": "100", "x": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"  # an object, with 10 KB it skips
TOKEN = b'{"access_token": "t", "token_type": "access_token", "expires_in": 3600}'


def _operator(deep_token: bool) -> FastAPI:
    """Answers every call with an object holding deep JSON: 200 to a read, 400 to a transfer (whose refusal's
    code is read)."""
    app = FastAPI()

    @app.post("/disbursement/token/")
    async def token() -> Response:
        return Response(DEEP if deep_token else TOKEN, media_type="application/json")

    @app.api_route("/disbursement/v1_0/{rest:path}", methods=["GET", "POST"])
    async def anything(rest: str, request: Request) -> Response:
        return Response(DEEP, 400 if request.method == "POST" else 200, media_type="application/json")

    return app


def _config(base_url: str) -> dict[str, object]:
    return {"kind": "momo-http", "base_url": base_url, "subscription_key": "k", "api_user": str(uuid.uuid4()),
            "api_key": "secret", "target_environment": "mtnrwanda", **FAST_RETRIES}


async def test_answers_nested_too_deep_are_the_operators_errors() -> None:
    reference = str(uuid.uuid4())
    with serve_app(_operator(deep_token=False)) as operator:
        async with adapter_from_config(_config(operator.base_url)) as adapter:
            with pytest.raises(PayoutError, match="nested too deep"):
                await adapter.lookup(JEANNE)
            with pytest.raises(PayoutError, match="nested too deep"):
                await adapter.balance()
            with pytest.raises(PayoutError, match="nested too deep"):
                await adapter.status(reference)
            refused = await adapter.start(reference, JEANNE, 100, "RWF", "remit-deep")  # a 400 without a code
            assert (refused.status, refused.reason) == (PayoutStatus.FAILED, "REQUEST_REJECTED")
            with pytest.raises(PayoutError, match="nested too deep"):
                adapter.callback_state(reference, DEEP)
    with serve_app(_operator(deep_token=True)) as operator:
        async with adapter_from_config(_config(operator.base_url)) as adapter:
            with pytest.raises(PayoutError, match="nested too deep"):
                await adapter.lookup(JEANNE)
