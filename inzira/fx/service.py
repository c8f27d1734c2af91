"""The FX provider's quote service: an HTTP API the sending side calls for a firm quote, priced and signed
by the FX provider's own desk with its own key (in the spirit of Mojaloop's ``POST /fxQuotes``).

    POST {prefix}/fxQuotes  {"for_member", "source_currency", "target_currency",
                             "source_amount_minor" | "target_amount_minor", "ttl_ms"?}
    -> 201 the firm quote (``inzira.fx.wire``)

Callers present a client token the FX provider issued them (``fx-clients.json`` in its deployment: member
-> token); a quote is made only for the member whose token it is (403 otherwise), since the ledger lets only
that member use it. Every refusal is problem+json; while the desk's reference rates are past their maximum age
(``inzira.fx.rate_source``) every quote is 503, code 2040.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from inzira.api.codes import ApiCode
from inzira.api.hot_routes import HotRoute
from inzira.api.numbers import TIME_MS_MAX, json_int
from inzira.api.problems import Problem
from inzira.api.responses import json_response, problem_docs
from inzira.api.tokens import TokenBook
from inzira.fx.desk import QUOTE_TTL_MS, QUOTE_TTL_MS_MAX, FxDesk, QuoteError
from inzira.fx.quota import QuoteQuota
from inzira.fx.rate_source import RatesStale
from inzira.fx.rates import RateError
from inzira.fx.wire import quote_json
from inzira.ledger.codes import Code
from inzira.money import AMOUNT_MINOR_MAX

FX_PREFIX = "/fx/v1"
FX_CLIENTS_FILE = "fx-clients.json"

fx_bearer = HTTPBearer(auto_error=False, scheme_name="FxClientToken",
                       description="A client token the FX provider issued to a member (fx-clients.json)")
_Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
_Amount = json_int(1, AMOUNT_MINOR_MAX)  # lax pydantic read true as 1, 100.0 as 100, "1_000" as 1000
_TtlMs = json_int(1, QUOTE_TTL_MS_MAX)
_TimeMs = json_int(1, TIME_MS_MAX)
_STALE_DOC = {**problem_docs(503)[503], "description": "The desk's reference rates are past their maximum age (2040)"}


class FxQuoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    for_member: str = Field(max_length=32, description="The member that will use the quote (the caller)")
    source_currency: _Currency
    target_currency: _Currency
    source_amount_minor: _Amount | None = Field(None, description="What the FX provider receives, or")
    target_amount_minor: _Amount | None = Field(None, description="what it must deliver (give one)")
    ttl_ms: _TtlMs = QUOTE_TTL_MS
    expires_by_ms: _TimeMs | None = Field(None, description="Expire no later than this (ms since 1970)")


def fx_router(desk: FxDesk, client_tokens: Mapping[str, str], clock_ms: Callable[[], int],
              prefix: str = FX_PREFIX, quota: QuoteQuota | None = None) -> APIRouter:
    """``client_tokens``: member -> the client token the FX provider issued it; ``quota``: each client's
    allowance of quotes (``inzira.fx.quota``'s default when none)."""
    book = TokenBook({token: member for member, token in client_tokens.items()})
    allowance = quota or QuoteQuota(clock_ms)
    # On every remittance's path: served from the app's table of hot routes (inzira.api.hot_routes).
    router = APIRouter(prefix=prefix, tags=["fx: quotes"], route_class=HotRoute)

    async def client(credentials: HTTPAuthorizationCredentials | None = Depends(fx_bearer)) -> str:
        member = book.member_for(credentials.credentials) if credentials else None
        if member is None:
            raise Problem(401, ApiCode.UNAUTHENTICATED, "send Authorization: Bearer <FX client token>",
                          headers={"WWW-Authenticate": 'Bearer realm="inzira-fx"'})
        return member

    @router.post("/fxQuotes", summary="A firm FX quote, signed by the FX provider", status_code=201,
                 response_class=Response, responses={201: {"description": "The firm quote"},
                                                     **problem_docs(400, 401, 403, 429), 503: _STALE_DOC})
    async def fx_quote(body: FxQuoteRequest, member: str = Depends(client)) -> Response:
        if body.for_member != member:
            raise Problem(403, Code.PERMISSION, f"this client token is {member}'s: it gets quotes for {member} only")
        wait_s = allowance.take(member)
        if wait_s:
            raise Problem(429, ApiCode.RATE_LIMITED,
                          f"{member} has used its allowance of quotes ({allowance.per_second} a second, "
                          f"{allowance.burst} at once); retry in {wait_s} s",
                          headers={"Retry-After": str(wait_s)})
        try:
            firm = desk.quote(member, body.source_currency, body.target_currency, now_ms=clock_ms(),
                              source_amount_minor=body.source_amount_minor,
                              target_amount_minor=body.target_amount_minor, ttl_ms=body.ttl_ms,
                              expires_by_ms=body.expires_by_ms)
        except (QuoteError, RateError) as exc:
            raise Problem(400, Code.VALIDATION, f"no quote: {exc}") from None
        except RatesStale as exc:
            raise Problem(503, ApiCode.RATES_STALE, str(exc)) from None
        return json_response(quote_json(firm), 201)

    return router
