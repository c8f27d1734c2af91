"""The regulator's view: volumes by corridor and the transfers compliance flagged (held or refused)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import Response

from inzira.api.auth import require_caller
from inzira.api.numbers import TIME_MS_MAX, digits
from inzira.api.responses import json_response, problem_docs
from inzira.api.visibility import Caller
from inzira.remit.api.deps import PREFIX, answers_problems
from inzira.remit.api.transfer_pages import Cursor, after, transfer_page
from inzira.remit.api.views import with_decisions
from inzira.remit.codes import forbidden
from inzira.remit.service import RemitService
from inzira.remit.store.reports import corridor_volumes

PAGE_MAX = 200
DAY_MS = 86_400_000
TimeMs = digits(0, TIME_MS_MAX)
Limit = digits(1, PAGE_MAX)


def router_for(service: RemitService) -> APIRouter:
    router = APIRouter(prefix=f"{PREFIX}/regulator", tags=["remit: regulator"])

    def regulator(caller: Caller) -> None:
        if not caller.sees_all:
            raise forbidden("only the regulator, the central bank and auditors see this")

    @router.get("/corridors", summary="Volumes by corridor and state", response_class=Response,
                responses={200: {"description": "{since_ms, until_ms, corridors: [Corridor]}"},
                           **problem_docs(401, 403)})
    @answers_problems
    async def corridors(since_ms: TimeMs | None = None, until_ms: TimeMs | None = None,
                        caller: Caller = Depends(require_caller)) -> Response:
        """Counts per state and committed amounts (minor units of the source currency and of RWF) for each
        (source currency, sending FSP, receiving FSP), over transfers created in [since_ms, until_ms);
        by default the last 24 hours."""
        regulator(caller)
        until = until_ms if until_ms is not None else service.clock_ms() + 1
        since = since_ms if since_ms is not None else until - DAY_MS
        return json_response({"since_ms": since, "until_ms": until,
                              "corridors": corridor_volumes(service.db, since, until)})

    @router.get("/flagged", summary="Transfers compliance held or refused, newest first", response_class=Response,
                responses={200: {"description": "{items: [transfer summary + compliance decisions], next_cursor}: "
                                                "next_cursor is null on the last page"},
                           **problem_docs(400, 401, 403)})
    @answers_problems
    async def flagged(before_ms: TimeMs | None = None, limit: Limit = 50, cursor: Cursor = None,
                      caller: Caller = Depends(require_caller)) -> Response:
        """Newest first (creation time, then id); pass `next_cursor` as `cursor` for the next page."""
        regulator(caller)
        records = service.transfers.page(flagged=True, before_ms=before_ms, limit=limit + 1, after=after(cursor))
        return json_response(transfer_page(records, limit, lambda record: with_decisions(service, record)))

    return router
