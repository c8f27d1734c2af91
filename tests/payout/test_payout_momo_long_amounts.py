"""An operator whose answer states an amount of a million digits (1 MB fits the answer limit): the adapter's
own error, read no further than its length. Decimal raised decimal.Overflow out of the adapter before, and a
few hundred thousand digits held the service's event loop for seconds while Decimal turned them into an int."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI, Response
from momo_helpers import FAST_RETRIES

from inzira.remit.payout import PayoutError, adapter_from_config
from inzira.sim.server import serve_app

pytestmark = pytest.mark.anyio
TOKEN = b'{"access_token": "t", "token_type": "access_token", "expires_in": 3600}'
BALANCE = b'{"availableBalance": "' + b"9" * 1_000_000 + b'", "currency": "RWF"}'


def _operator() -> FastAPI:
    app = FastAPI()

    @app.post("/disbursement/token/")
    async def token() -> Response:
        return Response(TOKEN, media_type="application/json")

    @app.get("/disbursement/v1_0/account/balance")
    async def balance() -> Response:
        return Response(BALANCE, media_type="application/json")

    return app


async def test_a_balance_of_a_million_digits_is_the_operators_error() -> None:
    config = {"kind": "momo-http", "api_user": str(uuid.uuid4()), "api_key": "secret", "subscription_key": "k",
              "target_environment": "mtnrwanda", **FAST_RETRIES}
    with serve_app(_operator()) as operator:
        async with adapter_from_config({**config, "base_url": operator.base_url}) as adapter:
            with pytest.raises(PayoutError, match="longer than 64 characters"):
                await adapter.balance()
