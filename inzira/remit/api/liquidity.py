"""Liquidity: positions, prefunding (deposit / withdrawal), net debit caps, low-liquidity thresholds, alerts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.numbers import digits
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller
from inzira.remit.api.deps import PREFIX, answers_problems
from inzira.remit.api.models import AmountBody, CapBody, LedgerChange, Position, ThresholdBody
from inzira.remit.codes import forbidden
from inzira.remit.service import RemitService

ALERTS_PAGE_MAX = 200
AlertsLimit = digits(1, ALERTS_PAGE_MAX)
_ACCOUNT = Path(max_length=81, examples=["eurosend:eur"])


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=f"{PREFIX}/liquidity", tags=["remit: liquidity"])
    liquidity = service.liquidity

    @router.get("/positions", summary="A member's positions: balance, reserved, available, cap, threshold",
                response_class=Response, responses={200: {"description": "{member, positions: [Position]}"},
                                                    **problem_docs(401, 403)})
    @answers_problems
    async def positions(member: str | None = Query(None, max_length=32,
                                                   description="Regulators and issuers: another member"),
                        caller: Caller = Depends(require_caller)) -> Response:
        who = member or caller.member
        if who != caller.member and not (caller.sees_all or "issuer" in caller.roles):
            raise forbidden(f"{caller.member} may not see {who}'s positions")
        return json_response({"member": who, "positions": liquidity.positions(who)})

    @router.post("/deposits", summary="Prefund: the issuer issues what the FSP paid in", response_class=Response,
                 responses={**ok_doc(LedgerChange, "issued"), **problem_docs(400, 401, 403, 404, 422)})
    @answers_problems
    async def deposit(body: AmountBody, caller: Caller = Depends(require_caller)) -> Response:
        """The FSP's funds reached the currency's issuer (the settlement bank) off chain; the issuer issues
        the same amount to the FSP's account (Issue). The demo's issuer confirms at once."""
        return json_response(await liquidity.deposit(caller.member, body.account, body.amount_minor))

    @router.post("/withdrawals", summary="Withdraw: redeemed by the holder and the issuer", response_class=Response,
                 responses={**ok_doc(LedgerChange, "redeemed"), **problem_docs(400, 401, 403, 404, 422)})
    @answers_problems
    async def withdraw(body: AmountBody, caller: Caller = Depends(require_caller)) -> Response:
        """Redeem signed by both the FSP and the issuer; 422 with 4001 when more than is available."""
        return json_response(await liquidity.withdraw(caller.member, body.account, body.amount_minor))

    @router.put("/caps/{account}", summary="Set a position's net debit cap (the currency's issuer)",
                response_class=Response, responses={**ok_doc(LedgerChange, "set"),
                                                    **problem_docs(400, 401, 403, 404, 422)})
    @answers_problems
    async def cap(body: CapBody, account: str = _ACCOUNT, caller: Caller = Depends(require_caller)) -> Response:
        """A transfer beyond balance + cap is refused by the ledger with 4001."""
        return json_response(await liquidity.set_cap(caller.member, account, body.cap_minor))

    @router.put("/thresholds/{account}", summary="Set the low-liquidity alert threshold of one's account",
                response_class=Response, responses={**ok_doc(Position, "the position"),
                                                    **problem_docs(400, 401, 403, 404)})
    @answers_problems
    async def threshold(body: ThresholdBody, account: str = _ACCOUNT,
                        caller: Caller = Depends(require_caller)) -> Response:
        """When what is available falls below the threshold, an alert `liquidity.low` is raised once (event
        stream, webhooks, alerts list); `liquidity.recovered` when it is back above."""
        return json_response(liquidity.set_threshold(caller.member, account, body.threshold_minor))

    @router.get("/alerts", summary="Low-liquidity alerts, newest first", response_class=Response,
                responses={200: {"description": "{items: [Alert]}"}, **problem_docs(401)})
    @answers_problems
    async def alerts(limit: AlertsLimit = 50,
                     caller: Caller = Depends(require_caller)) -> Response:
        member = None if caller.sees_all else caller.member
        return json_response({"items": service.notices.alerts(member, limit)})

    return router
