"""The receiving FSP's flagged payouts page (``/remit/incoming/flagged``): newest first, a page at a time, by
status and reason prefix, with how many there are in all; the same listing as ``GET /v1/remit/payouts/flagged``
(``inzira.remit.api.flagged.flagged_page``), read in-process as the signed-in FSP."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from inzira.api.numbers import clamp_digits
from inzira.api.problems import Problem
from inzira.remit.api.flagged import REASON_CHARS_MAX, REASON_PATTERN, FlaggedStatus, flagged_page
from inzira.web.remit.roles import PageRole
from inzira.web.remit.site import RemitSite

PATH = "/remit/incoming/flagged"
ROWS_MAX = 50
_REASON = re.compile(REASON_PATTERN)


def flagged_router(site: RemitSite) -> APIRouter:
    router = APIRouter()

    @router.get(PATH, include_in_schema=False)
    def flagged(request: Request, status: str = "", reason: str = "", cursor: str = "", limit: str = "") -> Response:
        """A hand-edited address still gets a page: the page size is brought into range; a status, a reason or a
        cursor that is not one of this page's is said so on the page (400), with the form to correct it."""
        who = site.gate(request, PageRole.RECEIVING)
        if isinstance(who, Response):
            return who
        rows = clamp_digits(limit, 1, ROWS_MAX) or ROWS_MAX
        shown: dict[str, Any] = {"status": status.strip().upper()[:16], "reason": reason.strip()[:REASON_CHARS_MAX + 1],
                                 "rows": rows, "rows_max": ROWS_MAX, "statuses": [s.value for s in FlaggedStatus],
                                 "items": [], "count": 0, "older": bool(cursor), "newest_href": "", "older_href": "",
                                 "problem": ""}
        if shown["status"] and shown["status"] not in shown["statuses"]:
            shown["problem"] = f"Choose a status: {' or '.join(shown['statuses'])}"
        elif shown["reason"] and not _REASON.fullmatch(shown["reason"]):
            shown["problem"] = (f"A reason is letters, digits, '_', '.' and '-', at most {REASON_CHARS_MAX}: "
                                "the start of one, like PAID_AFTER_ABORT")
        if shown["problem"]:
            return site.render(request, "remit/flagged.html", who, 400, **shown)
        try:
            page = flagged_page(site.service, who.member, FlaggedStatus(shown["status"]) if shown["status"] else None,
                                shown["reason"], rows, cursor or None)
        except Problem as exc:
            return site.render(request, "remit/flagged.html", who, 400,
                               **(shown | {"problem": f"That page is not one this site gave out ({exc.detail})"}))
        found = {"items": page["items"], "count": page["count"], "newest_href": _href(shown, None),
                 "older_href": _href(shown, page["next_cursor"]) if page["next_cursor"] else ""}
        return site.render(request, "remit/flagged.html", who, **(shown | found))

    return router


def _href(shown: dict[str, Any], cursor: str | None) -> str:
    """This page with the same filters and page size, from the newest row or from ``cursor``."""
    query = {"status": shown["status"], "reason": shown["reason"], "cursor": cursor or "",
             "limit": shown["rows"] if shown["rows"] != ROWS_MAX else ""}
    kept = urlencode({name: value for name, value in query.items() if value})
    return f"{PATH}?{kept}" if kept else PATH
