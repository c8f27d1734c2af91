"""A holder's client of the issuers' funding APIs: file deposit and withdrawal requests, read their state.

Each issuer runs its own funding API (``inzira.funding.api``); the holder presents the client token that
issuer gave it. Refusals come back as ``FundingClientError`` with the issuer's status and code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from inzira.funding.api import FUNDING_PREFIX
from inzira.fx.wire import b64

TIMEOUT_S = 10.0
ANSWER_BYTES_MAX = 64 * 1024


class FundingClientError(Exception):
    def __init__(self, status: int, code: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


class FundingClient:
    def __init__(self, credentials: Mapping[str, str], urls: Mapping[str, str] | None = None,
                 timeout_s: float = TIMEOUT_S) -> None:
        """``credentials``: member -> its client token at the issuers; ``urls``: issuer -> funding API."""
        self._credentials = dict(credentials)
        self.urls = dict(urls or {})
        self.timeout_s = timeout_s

    def connect(self, issuers: tuple[str, ...], base_url: str) -> None:
        """Where these issuers' funding APIs answer (known once a demo's server is up)."""
        for issuer in issuers:
            self.urls[issuer] = base_url.rstrip("/")

    async def _call(self, issuer: str, member: str, method: str, path: str,
                    body: dict[str, Any] | None = None) -> dict[str, Any]:
        token, url = self._credentials.get(member), self.urls.get(issuer)
        if token is None or url is None:
            raise FundingClientError(503, 2003, f"{member} has no client of {issuer}'s funding API")
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as http:
                response = await http.request(method, f"{url}{FUNDING_PREFIX}{path}", json=body,
                                              headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise FundingClientError(503, 2003, f"{issuer}'s funding API did not answer: {exc}") from None
        try:
            doc = response.json() if len(response.content) <= ANSWER_BYTES_MAX else None
        except ValueError:
            doc = None
        if not isinstance(doc, dict):
            raise FundingClientError(502, 2003, f"{issuer}'s funding API answered HTTP {response.status_code}")
        if response.status_code >= 400:
            code = doc.get("code")
            status = response.status_code if response.status_code < 500 else 502
            raise FundingClientError(status, code if isinstance(code, int) else 3100,
                                     f"{issuer}: {doc.get('detail')}")
        return doc

    async def deposit(self, issuer: str, member: str, account: str, amount_minor: int,
                      reference: str) -> dict[str, Any]:
        return await self._call(issuer, member, "POST", "/deposits", {
            "account": account, "amount_minor": amount_minor, "settlement_reference": reference})

    async def withdrawal(self, issuer: str, member: str, signed_tx: bytes) -> dict[str, Any]:
        return await self._call(issuer, member, "POST", "/withdrawals", {"signed_tx": b64(signed_tx)})

    async def request(self, issuer: str, member: str, request_id: str) -> dict[str, Any]:
        return await self._call(issuer, member, "GET", f"/requests/{request_id}")
