"""A holder's client of the issuers' funding APIs: file deposit and withdrawal requests, read their state.

Each issuer runs its own funding API (``inzira.funding.api``); the holder presents the client token that
issuer gave it. Refusals come back as ``HttpProblem``: the issuer's own status and code for a 4xx, 502 for its
failures, 503 (code 2003) when it cannot be reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inzira.funding.api import FUNDING_PREFIX
from inzira.fx.wire import b64
from inzira.http import AsyncHttpClient, HttpProblem
from inzira.http.problem import UNAVAILABLE

TIMEOUT_MS = 10_000
RETRY_BUDGET_MS = 2_000  # reads only: filing a request is not repeated on its own
ANSWER_BYTES_MAX = 64 * 1024


class FundingClient:
    def __init__(self, credentials: Mapping[str, str], urls: Mapping[str, str] | None = None,
                 timeout_ms: int = TIMEOUT_MS) -> None:
        """``credentials``: member -> its client token at the issuers; ``urls``: issuer -> funding API."""
        self._credentials = dict(credentials)
        self.urls = dict(urls or {})
        self._http = AsyncHttpClient(timeout_ms=timeout_ms, retry_budget_ms=RETRY_BUDGET_MS,
                                     answer_bytes_max=ANSWER_BYTES_MAX)

    def connect(self, issuers: tuple[str, ...], base_url: str) -> None:
        """Where these issuers' funding APIs answer (known once a demo's server is up)."""
        for issuer in issuers:
            self.urls[issuer] = base_url.rstrip("/")

    async def aclose(self) -> None:
        """Close this event loop's connections (at the service's shutdown)."""
        await self._http.aclose()

    async def _call(self, issuer: str, member: str, method: str, path: str,
                    body: dict[str, Any] | None = None) -> dict[str, Any]:
        token, url = self._credentials.get(member), self.urls.get(issuer)
        if token is None or url is None:
            raise HttpProblem(503, UNAVAILABLE, f"{member} has no client of {issuer}'s funding API", answered=False)
        try:
            doc = await self._http.call(method, f"{url}{FUNDING_PREFIX}{path}", json=body,
                                        headers={"Authorization": f"Bearer {token}"})
        except HttpProblem as exc:
            raise exc.relayed(issuer) from None
        if not isinstance(doc, dict):
            raise HttpProblem(502, UNAVAILABLE, f"{issuer}'s funding API answered something else than an object")
        return doc

    async def deposit(self, issuer: str, member: str, account: str, amount_minor: int,
                      reference: str) -> dict[str, Any]:
        return await self._call(issuer, member, "POST", "/deposits", {
            "account": account, "amount_minor": amount_minor, "settlement_reference": reference})

    async def withdrawal(self, issuer: str, member: str, signed_tx: bytes) -> dict[str, Any]:
        return await self._call(issuer, member, "POST", "/withdrawals", {"signed_tx": b64(signed_tx)})

    async def request(self, issuer: str, member: str, request_id: str) -> dict[str, Any]:
        return await self._call(issuer, member, "GET", f"/requests/{request_id}")
