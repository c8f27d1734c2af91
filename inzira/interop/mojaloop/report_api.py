"""``GET /v1/mojaloop/reconciliation``: the settlement window's report (reconcile.py), for the gateway member
and for members that see everything (the regulator); anyone else gets 404, as for anything it may not see."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from inzira.api.auth import require_caller
from inzira.api.problems import Problem
from inzira.api.visibility import Caller
from inzira.interop.mojaloop.gateway import Gateway
from inzira.interop.mojaloop.reconcile import report
from inzira.ledger.codes import Code

WINDOW_MS_MAX = 31 * 24 * 3_600_000
MS_MAX = 2**53


def report_router(gateway: Gateway, member: str, ledger_state: Any) -> APIRouter:
    router = APIRouter(prefix="/v1/mojaloop", tags=["mojaloop"])

    @router.get("/reconciliation")
    async def reconciliation(from_ms: int = Query(ge=0, le=MS_MAX, description="window start, Unix ms"),
                             to_ms: int = Query(ge=0, le=MS_MAX, description="window end (excluded), Unix ms"),
                             caller: Caller = Depends(require_caller)) -> dict[str, Any]:
        """The payee side's settlement window with eKash: what the hub owes, and every disagreement."""
        if caller.member != member and not caller.sees_all:
            raise Problem(404, Code.NOT_FOUND, "no such report")
        if not 0 < to_ms - from_ms <= WINDOW_MS_MAX:
            raise Problem(422, Code.VALIDATION, f"the window must be from_ms < to_ms, at most {WINDOW_MS_MAX} ms")
        return report(gateway.store, ledger_state, from_ms, to_ms)

    return router
