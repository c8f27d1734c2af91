"""``GET /v1/mojaloop/settlement``: the settlement window's report (settlement.py), a page of matched transfers
at a time, for the gateway member and for members that see everything (the regulator); anyone else gets 404,
as for anything it may not see."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from inzira.api.auth import require_caller
from inzira.api.problems import Problem
from inzira.api.visibility import Caller
from inzira.interop.mojaloop import settlement
from inzira.interop.mojaloop.settlement import PAGE_DEFAULT, SettlementError, Sources
from inzira.interop.mojaloop.store import PAGE_ROWS_MAX
from inzira.ledger.codes import Code

MS_MAX = 2**53


def report_router(sources: Sources, member: str) -> APIRouter:
    router = APIRouter(prefix="/v1/mojaloop", tags=["mojaloop"])

    @router.get("/settlement")
    async def settlement_report(
            from_ms: int | None = Query(None, ge=0, le=MS_MAX, description="window start, Unix ms (default: "
                                        "the start of today, UTC)"),
            to_ms: int | None = Query(None, ge=0, le=MS_MAX, description="window end (excluded), Unix ms "
                                      "(default: a day after the start)"),
            cursor: str | None = Query(None, max_length=200, description="next_cursor of the previous page"),
            limit: int = Query(PAGE_DEFAULT, ge=1, le=PAGE_ROWS_MAX, description="transfers per page"),
            caller: Caller = Depends(require_caller)) -> dict[str, Any]:
        """Both sides' totals and net position for the window, and a page of its transfers matched with their
        Inzira legs (``reasons`` empty when they agree)."""
        if caller.member != member and not caller.sees_all:
            raise Problem(404, Code.NOT_FOUND, "no such report")
        start = settlement.day_of(sources.clock_ms())[0] if from_ms is None else from_ms
        window = (start, start + settlement.DAY_MS if to_ms is None else to_ms)
        try:
            totals = settlement.summary(sources, *window)
            items, next_cursor = settlement.page(sources, *window, cursor, limit)
        except SettlementError as exc:
            raise Problem(400, Code.VALIDATION, str(exc)) from None
        return {**totals, "items": items, "next_cursor": next_cursor}

    return router
