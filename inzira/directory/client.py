"""The members' side of the directory operator's API, for asyncio code (the remittance service's loop).

    client = DirectoryClient()
    client.connect("https://directory.example", {"eurosend": "<token the operator issued>"})
    fsp = await client.fsp_for("eurosend", "+250788123456")     # None when no FSP serves it

A member never hashes a number itself: it holds no key. Each call carries the token of the member it acts
for, so the operator counts and logs it against that member. Refusals come back as ``DirectoryError``; an
operator that cannot be reached is a 503 with code 2003.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import msgspec

from inzira.api.codes import ApiCode

from inzira.directory.codes import DirectoryError
from inzira.directory.wire import RegistrationRequest, request_body

TIMEOUT_MS = 10_000
CONNECTIONS_MAX = 20
ANSWER_BYTES_MAX = 1024 * 1024
RETRY_AFTER_DIGITS_MAX = 9
DETAIL_CHARS_MAX = 1_000
PREFIX = "/v1/directory"


class DirectoryClient:
    def __init__(self, timeout_ms: int = TIMEOUT_MS, connections_max: int = CONNECTIONS_MAX) -> None:
        self._timeout_ms = timeout_ms
        self._connections_max = connections_max
        self._http: httpx.AsyncClient | None = None
        self._tokens: dict[str, str] = {}

    def connect(self, base_url: str, tokens: Mapping[str, str]) -> None:
        """Where the operator answers, and the token it issued to each member this service acts for."""
        self._tokens = dict(tokens)
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=self._timeout_ms / 1000,
                                       limits=httpx.Limits(max_connections=self._connections_max))

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def fsp_for(self, member: str, e164: str) -> str | None:
        try:
            answer = await self._call(member, "GET", f"/parties/MSISDN/{e164}")
        except DirectoryError as exc:
            if exc.status == 404:
                return None
            raise
        fsp = answer.get("fsp_id")
        if not isinstance(fsp, str):
            raise DirectoryError(503, ApiCode.UNAVAILABLE, "the directory operator's answer names no FSP")
        return fsp

    async def register(self, port: MemberPort, e164: str, active: bool,
                       request_id: str | None = None) -> tuple[int, dict[str, Any]]:
        """Ask the operator to list (or unlist) a number for the port's member, signed by it: (status, answer)."""
        request = RegistrationRequest(port.chain_id, port.member, e164, active, request_id or str(uuid.uuid4()),
                                      time.time_ns() // 1_000_000)
        return await self._send("POST", "/registrations", None, request_body(request, port.sign_registration(request)))

    async def audit(self, member: str, limit: int, **filters: Any) -> dict[str, Any]:
        params = {"limit": limit, **{k: v for k, v in filters.items() if v is not None}}
        return await self._call(member, "GET", "/audit", params=params)

    async def disputes(self, member: str, limit: int, state: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, **({"state": state} if state else {})}
        return await self._call(member, "GET", "/disputes", params=params)

    async def resolve(self, member: str, dispute_id: str, outcome: str) -> dict[str, Any]:
        return await self._call(member, "POST", f"/disputes/{dispute_id}/resolution", body={"outcome": outcome})

    async def _call(self, member: str, method: str, path: str, *, params: dict[str, Any] | None = None,
                    body: dict[str, Any] | None = None) -> dict[str, Any]:
        token = self._tokens.get(member)
        if token is None:
            raise DirectoryError(503, ApiCode.UNAVAILABLE, f"no token of the directory operator for {member} here")
        _status, answer = await self._send(method, path, token, body, params)
        return answer

    async def _send(self, method: str, path: str, token: str | None, body: dict[str, Any] | None,
                    params: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        if self._http is None:
            raise DirectoryError(503, ApiCode.UNAVAILABLE, "the directory operator's address is not set")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self._http.request(method, PREFIX + path, headers=headers, json=body, params=params)
        except httpx.HTTPError as exc:
            raise DirectoryError(503, ApiCode.UNAVAILABLE, f"the directory operator did not answer: {exc!r}") from None
        if len(response.content) > ANSWER_BYTES_MAX:
            raise DirectoryError(503, ApiCode.UNAVAILABLE, "the directory operator's answer is too large")
        try:
            answer = msgspec.json.decode(response.content) if response.content else {}
        except msgspec.DecodeError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        if response.status_code >= 400:
            code = answer.get("code")
            detail = answer.get("detail")
            retry_after = response.headers.get("Retry-After", "")
            valid_retry = retry_after.isascii() and retry_after.isdigit() and len(retry_after) <= RETRY_AFTER_DIGITS_MAX
            raise DirectoryError(response.status_code,
                                 code if type(code) is int and 1000 <= code <= 9999 else ApiCode.UNAVAILABLE,
                                 detail[:DETAIL_CHARS_MAX] if isinstance(detail, str) else
                                 f"the directory operator answered {response.status_code}",
                                 {"Retry-After": retry_after} if valid_retry else None)
        return response.status_code, answer
