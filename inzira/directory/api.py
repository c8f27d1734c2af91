"""The directory operator's HTTP API, under /v1/directory/ (docs/directory.md is its map).

    mount_directory(app, operator)

Callers authenticate with ``Authorization: Bearer <token>`` from the operator's own token book (in the demo,
the members' API tokens); registration requests carry their member's signature instead. The audit log and the
disputes are the regulator's alone.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from inzira.api.auth import bearer
from inzira.api.codes import ApiCode
from inzira.api.models import ProblemModel
from inzira.api.problems import Problem
from inzira.api.responses import json_response
from inzira.api.visibility import Caller
from inzira.directory.answers import PAGE_MAX
from inzira.directory.codes import DirectoryError, directory_title
from inzira.directory.operator import DirectoryOperator, parse_number
from inzira.directory.wire import MEMBER_CHARS_MAX, MSISDN_CHARS_MAX, TIME_MS_MAX, RegistrationRequest
from inzira.ledger.codes import Code
from inzira.qr.api.lean import LeanRoute

PREFIX = "/v1/directory"
REGULATOR_ROLE = "regulator"
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
SENDING_ROLE = "sending_fsp"  # the only members that look numbers up: they pay to them

_PROBLEMS = {
    400: "Invalid number or request (3100)",
    401: "Missing or unknown token (3040); a request not signed by its member (3105) or signed too long ago (3341)",
    403: "Not permitted (4300)",
    404: "Number not listed (3204), wallet unknown to the FSP (3204), dispute not found (3260)",
    409: "Request id reused for another request (3106), dispute already decided (3170), too many disputes (3171), "
         "the number listed since for an FSP the dispute does not name (3172)",
    422: "Wallet inactive (5400), or the ledger refused the listing (its code)",
    429: "Look-up or registration allowance used up (3041): retry after Retry-After seconds",
    503: "Account-holder API (5140) or ledger (2003) unavailable",
}

_MSISDN_DESCRIPTION = "E.164, e.g. +250788123456"
# The path parameter as FastAPI documents ``Path(max_length=MSISDN_CHARS_MAX, description=...)``.
_MSISDN_PARAM = {"parameters": [{"name": "msisdn", "in": "path", "required": True, "description": _MSISDN_DESCRIPTION,
                                 "schema": {"type": "string", "maxLength": MSISDN_CHARS_MAX, "title": "Msisdn",
                                            "description": _MSISDN_DESCRIPTION}}]}


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ProblemModel, "description": _PROBLEMS[s]} for s in statuses}


class DirectoryProblem(Problem):
    def document(self, instance: str) -> dict[str, Any]:
        doc = super().document(instance)
        doc["title"] = directory_title(self.code)
        return doc


def answers_problems(handler: F) -> F:
    """The operator's refusals as problem+json."""
    @functools.wraps(handler)
    async def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return await handler(*args, **kwargs)
        except DirectoryError as exc:
            raise DirectoryProblem(exc.status, exc.code, exc.detail, headers=exc.headers) from None

    hints = typing.get_type_hints(handler)
    signature = inspect.signature(handler)
    wrapped.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()],
        return_annotation=hints.get("return", signature.return_annotation))
    return wrapped  # type: ignore[return-value]


class RegistrationBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    member: str = Field(min_length=1, max_length=MEMBER_CHARS_MAX, examples=["mobimo"])
    msisdn: str = Field(min_length=1, max_length=MSISDN_CHARS_MAX, examples=["+250788123456"])
    active: bool = Field(description="true lists the number for the member, false unlists it")
    request_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="the member's own id for the request")
    signed_at_ms: int = Field(ge=0, le=TIME_MS_MAX)
    signature: str = Field(pattern=r"^[0-9a-f]{128}$",
                           description="Ed25519, by a key of the member, over the request (see docs/directory.md)")


class ResolutionBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    outcome: Literal["keep", "move"] = Field(description="keep: the number stays listed where it is; "
                                                         "move: the operator lists it for the claimant")


def router_for(operator: DirectoryOperator) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["directory"])

    async def caller(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Caller:
        member = operator.tokens.member_for(credentials.credentials) if credentials else None
        if member is None:
            raise Problem(401, ApiCode.UNAUTHENTICATED, "send Authorization: Bearer <token>",
                          headers={"WWW-Authenticate": 'Bearer realm="inzira-directory"'})
        roles = operator.roles_of(member)
        if roles is None:
            raise Problem(403, Code.PERMISSION, f"{member} is not a member of this network")
        return Caller(member, roles)

    async def regulator(who: Caller = Depends(caller)) -> Caller:
        if REGULATOR_ROLE not in who.roles:
            raise Problem(403, Code.PERMISSION, "only the regulator reads the directory's audit log and disputes")
        return who

    # On every remittance's path: a lean route (inzira.qr.api.lean), documented and refusing exactly as the
    # declaration it replaces, ``msisdn: str = Path(max_length=...)`` with ``Depends(caller)``.
    @answers_problems
    async def lookup(request: Request) -> Response:
        """Counted against the caller's allowance (sized to its declared volume) and written to the audit log
        with the answer. Only sending FSPs look numbers up (403 for any other member). Unlisted number: 404
        with code 3204."""
        who = await caller(await bearer(request))  # as FastAPI would: the dependency before the path
        msisdn: str = request.path_params["msisdn"]
        if len(msisdn) > MSISDN_CHARS_MAX:
            raise RequestValidationError([{"loc": ("path", "msisdn"), "type": "string_too_long", "input": msisdn,
                                           "msg": f"String should have at most {MSISDN_CHARS_MAX} characters"}])
        if SENDING_ROLE not in who.roles:
            raise Problem(403, Code.PERMISSION, "only a sending FSP looks numbers up in the directory")
        return json_response(operator.lookup(who.member, msisdn))

    router.add_api_route("/parties/MSISDN/{msisdn}", lookup, methods=["GET"], route_class_override=LeanRoute,
                         summary="Which FSP serves this number", response_class=Response,
                         openapi_extra={**_MSISDN_PARAM, "security": [{bearer.scheme_name: []}]},
                         responses={200: {"description": "{msisdn, fsp_id}"}, **_problems(400, 401, 403, 404, 429)})

    @router.get("/allowance", summary="The caller's look-up allowance", response_class=Response,
                responses={200: {"description": "{member, lookups_per_day, burst}"}, **_problems(401, 403)})
    async def allowance(who: Caller = Depends(caller)) -> Response:
        granted = operator.settings.allowance(who.member)
        return json_response({"member": who.member, "lookups_per_day": granted.per_day, "burst": granted.burst})

    @router.post("/registrations", summary="List or unlist a number (a request signed by the FSP)",
                 response_class=Response,
                 responses={200: {"description": "{msisdn, fsp_id, state: LISTED|UNLISTED, listed, tx_id}"},
                            202: {"description": "{..., state: DISPUTED, dispute_id}: listed for another FSP, the "
                                                 "regulator decides"},
                            **_problems(400, 401, 403, 404, 409, 422, 429, 503)})
    @answers_problems
    async def register(body: RegistrationBody) -> Response:
        """The operator checks the member's signature against its keys on chain and the signing time against its
        own clock, counts the request against the member's registration allowance (429 beyond it), confirms the
        wallet with the member's account-holder API, and signs SetParty. Every request counted is written to the
        registrations log the regulator reads. The same request id gets the same answer, free."""
        request = RegistrationRequest(operator.runtime.chain_id, body.member, body.msisdn, body.active,
                                      body.request_id, body.signed_at_ms)
        status, answer = await operator.register(request, body.signature)
        return json_response(answer, status)

    @router.get("/audit", summary="Who looked up which number, when, and the answer (regulator)",
                response_class=Response,
                responses={200: {"description": "{items: [{id, at_ms, member, msisdn, fsp_id}], next_before_id, "
                                                "refused_by_member}"}, **_problems(400, 401, 403)})
    @answers_problems
    async def audit(before_id: int | None = Query(None, ge=1, le=2**63 - 1),
                    limit: int = Query(50, ge=1, le=PAGE_MAX),
                    member: str | None = Query(None, min_length=1, max_length=MEMBER_CHARS_MAX),
                    msisdn: str | None = Query(None, min_length=1, max_length=MSISDN_CHARS_MAX),
                    who: Caller = Depends(regulator)) -> Response:
        """Newest first; ``member`` and ``msisdn`` narrow it. ``refused_by_member`` counts the look-ups refused
        for going over an allowance since the operator started."""
        number = parse_number(msisdn) if msisdn is not None else None
        items = operator.store.audit_page(limit + 1, before_id, member, number)
        more = len(items) > limit
        return json_response({"items": items[:limit], "next_before_id": items[limit - 1]["id"] if more else None,
                              "refused_by_member": operator.limiter.refused()})

    @router.get("/audit/registrations", summary="Who asked to list or unlist which number, and the answer "
                "(regulator)", response_class=Response,
                responses={200: {"description": "{items: [{id, at_ms, member, party, msisdn, active, request_id, "
                                                "status, code, outcome}], next_before_id, refused_by_member}"},
                           **_problems(400, 401, 403)})
    @answers_problems
    async def registrations(before_id: int | None = Query(None, ge=1, le=2**63 - 1),
                            limit: int = Query(50, ge=1, le=PAGE_MAX),
                            member: str | None = Query(None, min_length=1, max_length=MEMBER_CHARS_MAX),
                            msisdn: str | None = Query(None, min_length=1, max_length=MSISDN_CHARS_MAX),
                            who: Caller = Depends(regulator)) -> Response:
        """Newest first; ``msisdn`` finds a number's rows by its keyed hash (``party``, as SetParty names it on
        chain; ``msisdn`` in a row is masked). ``refused_by_member`` counts the requests refused for going over
        an allowance since the operator started (those are not in the log)."""
        party = operator.party_hash(parse_number(msisdn)) if msisdn is not None else None
        items = operator.store.registrations_page(limit + 1, before_id, member, party)
        more = len(items) > limit
        return json_response({"items": items[:limit], "next_before_id": items[limit - 1]["id"] if more else None,
                              "refused_by_member": operator.registration_limiter.refused()})

    @router.get("/disputes", summary="Claims on numbers listed for another FSP (regulator)", response_class=Response,
                responses={200: {"description": "{items: [Dispute], next_before_seq}"}, **_problems(401, 403)})
    async def disputes(state: Literal["OPEN", "KEPT", "MOVED"] | None = Query(None),
                       before_seq: int | None = Query(None, ge=1, le=2**63 - 1),
                       limit: int = Query(50, ge=1, le=PAGE_MAX), who: Caller = Depends(regulator)) -> Response:
        found = operator.store.disputes(state, limit + 1, before_seq)
        more = len(found) > limit
        return json_response({"items": [d.json() for d in found[:limit]],
                              "next_before_seq": found[limit - 1].seq if more else None})

    @router.post("/disputes/{dispute_id}/resolution", summary="Decide a dispute: keep or move (regulator)",
                 response_class=Response, responses={200: {"description": "the dispute, decided"},
                                                     **_problems(401, 403, 404, 409, 422, 503)})
    @answers_problems
    async def resolve(body: ResolutionBody, dispute_id: str = Path(max_length=64),
                      who: Caller = Depends(regulator)) -> Response:
        """``move`` has the operator sign SetParty for the claimant; ``keep`` changes nothing on chain."""
        return json_response((await operator.resolve(dispute_id, body.outcome, who.member)).json())

    return router


def mount_directory(app: FastAPI, operator: DirectoryOperator) -> None:
    app.include_router(router_for(operator))
    app.openapi_schema = None

