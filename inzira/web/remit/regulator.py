"""The regulator's page: volumes by corridor (currency pair, sending and receiving FSP) over a chosen
period, every transfer compliance flagged (held or refused) with its decisions, and the directory's audit log
and disputes (``directory_oversight``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from inzira.api.numbers import parse_digits
from inzira.remit.api.views import decision_view, summary
from inzira.remit.store.reports import corridor_volumes
from inzira.web.remit.directory_oversight import directory_oversight
from inzira.web.remit.roles import PageRole
from inzira.web.remit.site import RemitSite

DAY_MS = 86_400_000
PERIOD_DAYS_MAX = 90
FLAGGED_MAX = 50


def regulator_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    service = site.service

    @router.get("/remit/regulator", include_in_schema=False)
    async def regulator(request: Request, days: str = "1") -> Response:
        who = site.gate(request, PageRole.REGULATOR)
        if isinstance(who, Response):
            return who
        number = parse_digits(days)
        period_days = 1 if number is None else min(max(number, 1), PERIOD_DAYS_MAX)
        until_ms = service.clock_ms() + 1
        since_ms = until_ms - period_days * DAY_MS
        corridors = corridor_volumes(service.db, since_ms, until_ms)
        flagged = [{**summary(r), "decisions": [decision_view(d) for d in service.transfers.decisions(r.transfer_id)]}
                   for r in service.transfers.page(flagged=True, limit=FLAGGED_MAX)]
        return site.render(request, "remit/regulator.html", who, corridors=corridors, flagged=flagged, days=period_days,
                           since_ms=since_ms, until_ms=until_ms, flagged_max=FLAGGED_MAX,
                           period_choices=(1, 7, 30, PERIOD_DAYS_MAX),
                           directory=await directory_oversight(service, who.member))

    return router
