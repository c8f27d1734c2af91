"""The directory operator's two logs on the regulator's pages, each newest first, a page at a time, narrowed to one
member or one number, with what was refused per member for going over an allowance:

- look-ups (``/remit/regulator/lookups``): who asked which FSP serves a number, and the answer;
- registrations (``/remit/regulator/registrations``): who asked to list or unlist which number (its keyed hash, and
  a masked form: the operator never logs it in clear), and the answer.

Read through the directory operator's API with the signed-in regulator's own token, as the disputes are
(``directory_oversight``). Reading is no power: a regulator's session opened by a demo button reads them too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from inzira.api.numbers import INT64_MAX, clamp_digits
from inzira.directory.answers import LookupPage, RegistrationPage
from inzira.directory.wire import MEMBER_CHARS_MAX, MSISDN_CHARS_MAX
from inzira.http import HttpProblem
from inzira.remit.phone import E164, PhoneNumberError, parse_payout_phone
from inzira.remit.service import RemitService
from inzira.web.remit.roles import PageRole
from inzira.web.remit.site import RemitSite

LOOKUPS_PATH = "/remit/regulator/lookups"
REGISTRATIONS_PATH = "/remit/regulator/registrations"
ROWS_MAX = 50
# (service, regulator, rows, before id, member, number) -> the operator's page of one log
Log = Coroutine[Any, Any, LookupPage | RegistrationPage]
ReadLog = Callable[[RemitService, str, int, int | None, str | None, E164 | None], Log]


def _lookups(service: RemitService, caller: str, rows: int, before_id: int | None, member: str | None,
             number: E164 | None) -> Log:
    return service.directory.audit(caller, rows, before_id=before_id, member=member, msisdn=number)


def _registrations(service: RemitService, caller: str, rows: int, before_id: int | None, member: str | None,
                   number: E164 | None) -> Log:
    return service.directory.registrations(caller, rows, before_id=before_id, member=member, msisdn=number)


def directory_logs_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    for path, template, read in ((LOOKUPS_PATH, "remit/lookups.html", _lookups),
                                 (REGISTRATIONS_PATH, "remit/registrations.html", _registrations)):
        router.add_api_route(path, _log_page(site, path, template, read), methods=["GET"], include_in_schema=False)
    return router


def _log_page(site: RemitSite, path: str, template: str, read: ReadLog) -> Callable[..., Awaitable[Response]]:
    service = site.service

    async def page(request: Request, member: str = "", msisdn: str = "", before: str = "",
                   limit: str = "") -> Response:
        """A hand-edited address still gets a page: numbers are brought into range; an unknown member or a number
        that is not a Rwandan mobile number is said so on the page (400), with the form to correct it."""
        who = site.gate(request, PageRole.REGULATOR)
        if isinstance(who, Response):
            return who
        rows = clamp_digits(limit, 1, ROWS_MAX) or ROWS_MAX
        # Cut, not refused, so a long hand-edited value is still shown as the form's value and said wrong below.
        shown: dict[str, Any] = {"member": member.strip()[:MEMBER_CHARS_MAX + 1],
                                 "msisdn": msisdn.strip()[:MSISDN_CHARS_MAX + 1], "rows": rows, "rows_max": ROWS_MAX,
                                 "members": sorted(site.node.state.members), "items": [], "refused": {},
                                 "older": bool(before), "newest_href": "", "older_href": "", "problem": "",
                                 "unavailable": ""}
        number = None
        if shown["member"] and shown["member"] not in site.node.state.members:
            shown["problem"] = f"{shown['member']} is not a member of this network"
        elif len(shown["msisdn"]) > MSISDN_CHARS_MAX:
            shown["problem"] = f"A number has at most {MSISDN_CHARS_MAX} characters"
        elif shown["msisdn"]:
            try:
                number = parse_payout_phone(shown["msisdn"])
            except PhoneNumberError as exc:
                shown["problem"] = f"Not a number the directory lists: {exc}"
        if shown["problem"]:
            return site.render(request, template, who, 400, **shown)
        try:
            log = await service.call(read(service, who.member, rows, clamp_digits(before, 1, INT64_MAX),
                                          shown["member"] or None, number))
        except HttpProblem as exc:
            return site.render(request, template, who, **(shown | {"unavailable": exc.detail}))
        found = {"items": log.items, "refused": log.refused_by_member, "newest_href": _href(path, shown, None),
                 "older_href": _href(path, shown, log.next_before_id) if log.next_before_id else ""}
        return site.render(request, template, who, **(shown | found))

    return page


def _href(path: str, shown: dict[str, Any], before_id: int | None) -> str:
    """This page with the same filters and page size, from the newest row or from before ``before_id``."""
    query = {"member": shown["member"], "msisdn": shown["msisdn"], "before": before_id or "",
             "limit": shown["rows"] if shown["rows"] != ROWS_MAX else ""}
    kept = urlencode({name: value for name, value in query.items() if value})
    return f"{path}?{kept}" if kept else path
