"""The members' side of the directory operator's API, for asyncio code (the remittance service's loop).

    client = DirectoryClient()
    client.connect("https://directory.example", {"eurosend": "<token the operator issued>"})
    fsp = await client.fsp_for("eurosend", "+250788123456")     # None when no FSP serves it

A member never hashes a number itself: it holds no key. Each call carries the token of the member it acts
for, so the operator counts and logs it against that member. Refusals come back as ``HttpProblem`` (with a
checked Retry-After in ``headers`` when the operator sent one); an operator that cannot be reached is a 503
with code 2003. The operator is another member: its logs and disputes come back as the typed, bounded structs of
``answers.py``, and an answer that does not fit them is a 502 with code 2003, as an operator failing to answer.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from inzira.directory.answers import (AnswerUnfit, Dispute, DisputePage, LookupPage, Page, RegistrationPage,
                                      decode_answer, decode_page)
from inzira.directory.wire import RegistrationRequest, request_body
from inzira.http import AsyncHttpClient, HttpProblem
from inzira.http.answer import Answer
from inzira.http.problem import UNAVAILABLE, unusable

if TYPE_CHECKING:
    from inzira.node.custody import MemberPort

TIMEOUT_MS = 10_000
RETRY_BUDGET_MS = 1_000  # look-ups only; a rate limit's Retry-After is longer and goes back to the caller
CONNECTIONS_MAX = 20
ANSWER_BYTES_MAX = 1024 * 1024
PREFIX = "/v1/directory"
T = TypeVar("T")


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
            answer = _object(await self._call(member, "GET", f"/parties/MSISDN/{e164}"))
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
        body = request_body(request, port.sign_registration(request))
        answer = await self._send("POST", "/registrations", None, body)
        return answer.status, _object(answer)

    async def audit(self, caller: str, limit: int, *, before_id: int | None = None, member: str | None = None,
                    msisdn: str | None = None) -> LookupPage:
        """The look-up log, read as ``caller`` (the regulator), narrowed to ``member``'s look-ups or one
        number's."""
        params = _log_params(limit, before_id=before_id, member=member, msisdn=msisdn)
        return await self._page(caller, "/audit", params, LookupPage, limit)

    async def registrations(self, caller: str, limit: int, *, before_id: int | None = None, member: str | None = None,
                            msisdn: str | None = None) -> RegistrationPage:
        """The registrations log, read as ``caller`` (the regulator), narrowed to ``member``'s requests or one
        number's."""
        params = _log_params(limit, before_id=before_id, member=member, msisdn=msisdn)
        return await self._page(caller, "/audit/registrations", params, RegistrationPage, limit)

    async def disputes(self, member: str, limit: int, state: str | None = None) -> DisputePage:
        params: dict[str, Any] = {"limit": limit, **({"state": state} if state else {})}
        return await self._page(member, "/disputes", params, DisputePage, limit)

    async def resolve(self, member: str, dispute_id: str, outcome: str) -> Dispute:
        answer = await self._call(member, "POST", f"/disputes/{dispute_id}/resolution", body={"outcome": outcome})
        return _fitting(answer, lambda content: decode_answer(content, Dispute))

    async def _page(self, member: str, path: str, params: dict[str, Any], kind: type[Page], limit: int) -> Page:
        answer = await self._call(member, "GET", path, params=params)
        return _fitting(answer, lambda content: decode_page(content, kind, limit))

    async def _call(self, member: str, method: str, path: str, *, params: dict[str, Any] | None = None,
                    body: dict[str, Any] | None = None) -> Answer:
        token = self._tokens.get(member)
        if token is None:
            raise HttpProblem(503, UNAVAILABLE, f"no token of the directory operator for {member} here", answered=False)
        return await self._send(method, path, token, body, params)

    async def _send(self, method: str, path: str, token: str | None, body: dict[str, Any] | None,
                    params: dict[str, Any] | None = None) -> Answer:
        if self._http is None:
            raise HttpProblem(503, UNAVAILABLE, "the directory operator's address is not set", answered=False)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return (await self._http.send(method, PREFIX + path, headers=headers, json=body, params=params)).checked(
            "the directory operator")


def _log_params(limit: int, **filters: object) -> dict[str, Any]:
    return {"limit": limit, **{k: v for k, v in filters.items() if v is not None}}


def _fitting(answer: Answer, decode: Callable[[bytes], T]) -> T:
    """The operator's answer decoded, or the operator failing to answer (502): the pages show it unavailable."""
    try:
        return decode(answer.content)
    except AnswerUnfit as exc:
        raise unusable(502, f"the directory operator's answer is not what its API documents: {exc}") from None


def _object(answer: Answer) -> dict[str, Any]:
    """An answer passed on as it came (a look-up's, a registration's): a JSON object, or the operator failing."""
    doc = answer.json()
    if not isinstance(doc, dict):
        raise unusable(502, "the directory operator's answer is not a JSON object")
    return doc
