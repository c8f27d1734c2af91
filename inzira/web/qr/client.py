"""The pages' way to the QR payment service: its documented HTTP API (``/v1/qr``), called with the customer's
token held by the page session, never with a member's.

The pages may run beside the API (the demo: the same server) or in front of it (another process): either
way they speak HTTP, so they rely on nothing but the API's contract. ``connect`` names the API's base URL
once it is known (a demo server on port 0 learns its port only when it serves). A refusal, or no answer
(``answered`` False), is an ``HttpProblem``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from inzira.http import Answer, AsyncHttpClient, Stream
from inzira.http.problem import unanswered

CALL_TIMEOUT_MS = 40_000  # a payment may wait up to 30 s for the ledger's verdict (then the API answers 504)
CONNECT_TIMEOUT_MS = 5_000
STREAM_READ_TIMEOUT_MS = 45_000  # the API sends a heartbeat every 15 s on a quiet stream
RETRY_BUDGET_MS = 1_000


class QrApi:
    def __init__(self, base_url: str | None = None) -> None:
        self._http = AsyncHttpClient(base_url or "", timeout_ms=CALL_TIMEOUT_MS, connect_timeout_ms=CONNECT_TIMEOUT_MS,
                                     retry_budget_ms=RETRY_BUDGET_MS)
        self.base_url = base_url

    def connect(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._http.connect(self.base_url)

    async def aclose(self) -> None:
        """Close this event loop's connections (as the server the pages run on stops)."""
        await self._http.aclose()

    def _auth(self, token: str) -> dict[str, str]:
        if self.base_url is None:
            raise unanswered("the pages are not connected to the QR API yet")
        return {"Authorization": f"Bearer {token}"}

    async def get(self, token: str, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self._http.call("GET", path, params=params, headers=self._auth(token))

    async def post(self, token: str, path: str, body: dict[str, Any]) -> Any:
        return await self._http.call("POST", path, json=body, headers=self._auth(token))

    async def post_bytes(self, token: str, path: str, data: bytes, media_type: str) -> Any:
        return await self._http.call("POST", path, content=data,
                                     headers={**self._auth(token), "Content-Type": media_type})

    async def raw(self, token: str, path: str) -> Answer:
        """An image or a receipt: the answer as it came (a success, or ``HttpProblem``)."""
        return (await self._http.send("GET", path, headers=self._auth(token))).checked("the QR payment service")

    @asynccontextmanager
    async def stream(self, token: str, path: str) -> AsyncIterator[Stream]:
        """An event stream, open (status 200) or refused (``HttpProblem``)."""
        headers = {**self._auth(token), "Accept": "text/event-stream"}
        async with self._http.stream("GET", path, headers=headers, timeout_ms=STREAM_READ_TIMEOUT_MS) as response:
            yield response
