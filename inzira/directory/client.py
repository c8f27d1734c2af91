"""The members' side of the directory operator's API, for asyncio code (the remittance service's loop).

    client = DirectoryClient()
    client.connect("https://directory.example", {"eurosend": "<token the operator issued>"})
    fsp = await client.fsp_for("eurosend", "+250788123456")     # None when no FSP serves it

A member never hashes a number itself: it holds no key. Each call carries the token of the member it acts
for, so the operator counts and logs it against that member. Refusals come back as ``HttpProblem`` (with a
checked Retry-After in ``headers`` when the operator sent one); an operator that cannot be reached is a 503
with code 2003.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inzira.directory.wire import RegistrationRequest, request_body
from inzira.http import AsyncHttpClient, HttpProblem
from inzira.http.problem import UNAVAILABLE

if TYPE_CHECKING:
    from inzira.node.custody import MemberPort

TIMEOUT_MS = 10_000
RETRY_BUDGET_MS = 1_000  # look-ups only; a rate limit's Retry-After is longer and goes back to the caller
CONNECTIONS_MAX = 20
ANSWER_BYTES_MAX = 1024 * 1024
PREFIX = "/v1/directory"


class DirectoryClient:
    def __init__(self, timeout_ms: int = TIMEOUT_MS, connections_max: int = CONNECTIONS_MAX) -> None:
        self._timeout_ms = timeout_ms
        self._connections_max = connections_max
        self._http: AsyncHttpClient | None = None
        self._tokens: dict[str, str] = {}

    def connect(self, base_url: str, tokens: Mapping[str, str]) -> None:
        """Where the operator answers, and the token it issued to each member this service acts for."""
        self._tokens = dict(tokens)
        self._http = AsyncHttpClient(base_url, timeout_ms=self._timeout_ms, retry_budget_ms=RETRY_BUDGET_MS,
                                     connections_max=self._connections_max, answer_bytes_max=ANSWER_BYTES_MAX)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def fsp_for(self, member: str, e164: str) -> str | None:
        try:
            answer = await self._call(member, "GET", f"/parties/MSISDN/{e164}")
        except HttpProblem as exc:
            if exc.status == 404:
                return None
            raise
        fsp = answer.get("fsp_id")
        if not isinstance(fsp, str):
            raise HttpProblem(502, UNAVAILABLE, "the directory operator's answer names no FSP")
        return fsp

    async def register(self, port: MemberPort, e164: str, active: bool,
                       request_id: str | None = None) -> tuple[int, dict[str, Any]]:
        """Ask the operator to list (or unlist) a number for the port's member, signed by it: (status, answer)."""
        request = RegistrationRequest(port.chain_id, port.member, e164, active, request_id or str(uuid.uuid4()),
                                      time.time_ns() // 1_000_000)
        return await self._send("POST", "/registrations", None, request_body(request, port.sign_registration(request)))

    async def audit(self, caller: str, limit: int, *, before_id: int | None = None, member: str | None = None,
                    msisdn: str | None = None) -> dict[str, Any]:
        """The look-up log, read as ``caller`` (the regulator), narrowed to ``member``'s look-ups or one
        number's."""
        return await self._log(caller, "/audit", limit, before_id=before_id, member=member, msisdn=msisdn)

    async def registrations(self, caller: str, limit: int, *, before_id: int | None = None, member: str | None = None,
                            msisdn: str | None = None) -> dict[str, Any]:
        """The registrations log, read as ``caller`` (the regulator), narrowed to ``member``'s requests or one
        number's."""
        return await self._log(caller, "/audit/registrations", limit, before_id=before_id, member=member,
                               msisdn=msisdn)

    async def _log(self, caller: str, path: str, limit: int, **filters: object) -> dict[str, Any]:
        params = {"limit": limit, **{k: v for k, v in filters.items() if v is not None}}
        return await self._call(caller, "GET", path, params=params)

    async def disputes(self, member: str, limit: int, state: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, **({"state": state} if state else {})}
        return await self._call(member, "GET", "/disputes", params=params)

    async def resolve(self, member: str, dispute_id: str, outcome: str) -> dict[str, Any]:
        return await self._call(member, "POST", f"/disputes/{dispute_id}/resolution", body={"outcome": outcome})

    async def _call(self, member: str, method: str, path: str, *, params: dict[str, Any] | None = None,
                    body: dict[str, Any] | None = None) -> dict[str, Any]:
        token = self._tokens.get(member)
        if token is None:
            raise HttpProblem(503, UNAVAILABLE, f"no token of the directory operator for {member} here", answered=False)
        _status, answer = await self._send(method, path, token, body, params)
        return answer

    async def _send(self, method: str, path: str, token: str | None, body: dict[str, Any] | None,
                    params: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        if self._http is None:
            raise HttpProblem(503, UNAVAILABLE, "the directory operator's address is not set", answered=False)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = (await self._http.send(method, PREFIX + path, headers=headers, json=body, params=params)).checked(
            "the directory operator")
        doc = answer.json()
        return answer.status, doc if isinstance(doc, dict) else {}
