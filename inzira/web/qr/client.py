"""The pages' way to the QR payment service: its documented HTTP API (``/v1/qr``), called with the customer's
token held by the page session, never with a member's.

The pages may run beside the API (the demo: the same server) or in front of it (another process): either
way they speak HTTP, so they rely on nothing but the API's contract. ``connect`` names the API's base URL
once it is known (a demo server on port 0 learns its port only when it serves).
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

CALL_TIMEOUT_S = 40.0  # a payment may wait up to 30 s for the ledger's verdict (then the API answers 504)
CONNECT_TIMEOUT_S = 5.0
STREAM_READ_TIMEOUT_S = 45.0  # the API sends a heartbeat every 15 s on a quiet stream
DETAIL_CHARS_MAX = 500
# One TLS context for every client: building one loads the CA bundle (tens of ms), and a client per call
# keeps each call's connections inside its own event loop and lifetime.
_TLS = ssl.create_default_context()


class ApiRefusal(Exception):
    """The API's problem+json answer: HTTP status, stable code, detail and any extra members."""

    def __init__(self, status: int, code: int, detail: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra or {}


class ApiUnreachable(Exception):
    """No answer from the API (not connected, connection refused, timed out)."""


def _refusal(response: httpx.Response) -> ApiRefusal:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ApiRefusal(response.status_code, 0, response.text[:DETAIL_CHARS_MAX] or response.reason_phrase)
    code = body.get("code")
    detail = str(body.get("detail") or body.get("title") or response.reason_phrase)[:DETAIL_CHARS_MAX]
    known = {"type", "title", "status", "detail", "code", "instance"}
    return ApiRefusal(response.status_code, code if isinstance(code, int) else 0, detail,
                      {k: v for k, v in body.items() if k not in known})


class QrApi:
    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = base_url

    def connect(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def _client(self, token: str, read_timeout_s: float) -> httpx.AsyncClient:
        if self.base_url is None:
            raise ApiUnreachable("the pages are not connected to the QR API yet")
        timeout = httpx.Timeout(read_timeout_s, connect=CONNECT_TIMEOUT_S)
        return httpx.AsyncClient(base_url=self.base_url, verify=_TLS, timeout=timeout, trust_env=False,
                                 headers={"Authorization": f"Bearer {token}"})

    async def _send(self, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            async with self._client(token, CALL_TIMEOUT_S) as client:
                response = await client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiUnreachable(f"the QR payment service did not answer: {exc.__class__.__name__}") from exc
        if response.status_code >= 400:
            raise _refusal(response)
        return response

    async def get(self, token: str, path: str, params: dict[str, Any] | None = None) -> Any:
        return (await self._send(token, "GET", path, params=params)).json()

    async def post(self, token: str, path: str, body: dict[str, Any]) -> Any:
        return (await self._send(token, "POST", path, json=body)).json()

    async def post_bytes(self, token: str, path: str, data: bytes, media_type: str) -> Any:
        return (await self._send(token, "POST", path, content=data, headers={"Content-Type": media_type})).json()

    async def raw(self, token: str, path: str) -> httpx.Response:
        """An image or a receipt: the answer as it came."""
        return await self._send(token, "GET", path)

    @asynccontextmanager
    async def stream(self, token: str, path: str) -> AsyncIterator[httpx.Response]:
        """An event stream, open (status 200) or refused (``ApiRefusal``)."""
        try:
            async with self._client(token, STREAM_READ_TIMEOUT_S) as client:
                async with client.stream("GET", path, headers={"Accept": "text/event-stream"}) as response:
                    if response.status_code >= 400:
                        await response.aread()
                        raise _refusal(response)
                    yield response
        except httpx.HTTPError as exc:
            raise ApiUnreachable(f"the QR payment service's event stream failed: {exc.__class__.__name__}") from exc
