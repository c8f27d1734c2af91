"""Signed webhooks: signatures verify, tampering and replays are refused, deliveries reach a real server."""

from __future__ import annotations

import asyncio
import json

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from inzira.crypto import KeyPair
from inzira.notify.webhooks import SIGNATURE_HEADER, WebhookSender, WebhookSignatureError, sign_body, verify_signature

KEY = KeyPair.from_seed(bytes(range(32)))
KEYS = {"mobimo": KEY.public_key}


def test_signature_round_trip_and_refusals():
    body = b'{"status":"COMMITTED"}'
    header = sign_body(body, KEY, "mobimo", 1_000_000)
    assert verify_signature(body, header, KEYS, 1_000_500) == "mobimo"
    with pytest.raises(WebhookSignatureError):
        verify_signature(body + b" ", header, KEYS, 1_000_500)
    with pytest.raises(WebhookSignatureError):
        verify_signature(body, header, KEYS, 1_000_000 + 10 * 60_000)  # replayed later
    with pytest.raises(WebhookSignatureError):
        verify_signature(body, header.replace("kid=mobimo", "kid=other"), KEYS, 1_000_500)
    for bad in (None, "", "t=1", "garbage", "t=x,kid=mobimo,ed25519=zz"):
        with pytest.raises(WebhookSignatureError):
            verify_signature(body, bad, KEYS, 1_000_500)


def test_delivery_to_a_real_server_with_retry():
    received: list[dict] = []
    attempts = {"n": 0}
    app = FastAPI()

    @app.post("/flaky")
    async def flaky(request: Request):
        attempts["n"] += 1
        if attempts["n"] == 1:
            return JSONResponse({"error": "busy"}, status_code=503)
        body = await request.body()
        verify_signature(body, request.headers.get(SIGNATURE_HEADER), KEYS, _now())
        received.append(json.loads(body))
        return {"ok": True}

    async def scenario():
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve())
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        sender = WebhookSender(KEY, "mobimo")
        sender.start()
        assert sender.send(f"http://127.0.0.1:{port}/flaky", {"id": "e1", "status": "COMMITTED"})
        for _ in range(300):
            if received:
                break
            await asyncio.sleep(0.01)
        await sender.stop()
        server.should_exit = True
        await serving
        return sender.stats

    stats = asyncio.run(scenario())
    assert received == [{"id": "e1", "status": "COMMITTED"}]
    assert attempts["n"] == 2 and stats.delivered == 1


def _now() -> int:
    import time

    return time.time_ns() // 1_000_000
