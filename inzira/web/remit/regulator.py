"""The regulator's page: volumes by corridor (currency pair, sending and receiving FSP) over a chosen
period, the transfers compliance flagged (held or refused) with their decisions, newest first, a page at a time
(the API's cursors: creation time, then id), and the directory's audit log and disputes (``directory_oversight``)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from inzira.api.numbers import TIME_MS_MAX, parse_digits
from inzira.api.paging import decode_cursor, encode_cursor
from inzira.api.problems import Problem
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
    async def regulator(request: Request, days: str = "1", flagged: str = "") -> Response:
        who = site.gate(request, PageRole.REGULATOR)
        if isinstance(who, Response):
            return who
        number = parse_digits(days)
        period_days = 1 if number is None else min(max(number, 1), PERIOD_DAYS_MAX)
        until_ms = service.clock_ms() + 1
        since_ms = until_ms - period_days * DAY_MS
        corridors = corridor_volumes(service.db, since_ms, until_ms)
        try:
            after = decode_cursor(flagged, TIME_MS_MAX) if flagged else None
            problem = ""
        except Problem:  # a hand-edited address: the newest page, and a word on what was wrong
            after, problem = None, "That page of flagged transfers is not one this site gave out: the newest shown."
        records = service.transfers.page(flagged=True, limit=FLAGGED_MAX + 1, after=after)
        shown = [{**summary(r), "decisions": [decision_view(d) for d in service.transfers.decisions(r.transfer_id)]}
                 for r in records[:FLAGGED_MAX]]
        last = records[FLAGGED_MAX - 1] if len(records) > FLAGGED_MAX else None
        older = "" if last is None else _href(period_days, encode_cursor(last.created_at_ms, last.transfer_id))
        return site.render(request, "remit/regulator.html", who, 400 if problem else 200, corridors=corridors,
                           flagged=shown, days=period_days, since_ms=since_ms, until_ms=until_ms,
                           flagged_max=FLAGGED_MAX, flagged_problem=problem, flagged_older=older,
                           flagged_newest=_href(period_days, "") if after else "",
                           period_choices=(1, 7, 30, PERIOD_DAYS_MAX),
                           directory=await directory_oversight(service, who.member))

    return router


def _href(days: int, cursor: str) -> str:
    """The page for the same period, its flagged transfers from ``cursor`` (the newest without one)."""
    query = urlencode({name: value for name, value in (("days", days if days != 1 else ""), ("flagged", cursor))
                       if value})
    return f"/remit/regulator?{query}#flagged" if query else "/remit/regulator#flagged"
