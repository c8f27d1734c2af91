"""Liquidity: positions, funding requests to the issuer (deposit / withdrawal), low-liquidity thresholds, alerts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.numbers import digits
from inzira.api.responses import json_response, ok_doc, problem_docs
from inzira.api.visibility import Caller
from inzira.remit.api.deps import PREFIX, answers_problems
from inzira.remit.api.models import DepositBody, Position, ThresholdBody, WithdrawalBody
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
    async def positions(member: str | None = Query(None, max_length=32, description=(
                            "Regulators: another member; issuers: another member's, in their currencies")),
                        caller: Caller = Depends(require_caller)) -> Response:
        who = member or caller.member
        if who == caller.member or caller.sees_all:
            return json_response({"member": who, "positions": liquidity.positions(who)})
        if "issuer" not in caller.roles:
            raise forbidden(f"{caller.member} may not see {who}'s positions")
        # An issuer oversees its own currencies: another member's positions in other currencies are not its own.
        return json_response({"member": who, "positions": liquidity.positions(who, issuer=caller.member)})

    @router.post("/deposits", summary="Prefund: ask the issuer to issue what the FSP paid in", status_code=202,
                 response_class=Response, responses={202: {"description": "The pending funding request"},
                                                     **problem_docs(400, 401, 403, 404, 409, 503)})
    @answers_problems
    async def deposit(body: DepositBody, caller: Caller = Depends(require_caller)) -> Response:
        """The FSP's funds were sent to the currency's issuer off chain, with a settlement reference; this files
        a funding request with the issuer's funding API. Nothing is issued until the issuer's officers approve
        (the issuer signs `Issue` with the reference, on chain); a reference funds at most once."""
        return json_response(await liquidity.deposit(caller.member, body.account, body.amount_minor,
                                                     body.settlement_reference), 202)

    @router.post("/withdrawals", summary="Withdraw: a redemption the FSP signs, countersigned by the issuer",
                 status_code=202, response_class=Response,
                 responses={202: {"description": "The pending withdrawal request"},
                            **problem_docs(400, 401, 403, 404, 409, 422, 503)})
    @answers_problems
    async def withdraw(body: WithdrawalBody, caller: Caller = Depends(require_caller)) -> Response:
        """The service signs `Redeem` as the FSP and files it with the issuer; the issuer's officers approve
        (the issuer countersigns: the redemption lands) or reject (nothing moves). 4001 from the ledger when
        less is available by then."""
        return json_response(await liquidity.withdraw(caller.member, body.account, body.amount_minor,
                                                      body.reference), 202)

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
