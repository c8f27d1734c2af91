"""The issuer's own page: its officers see the funding and withdrawal requests (who asked, which account, how
much, against which settlement reference, which other requests pending name that reference too, who approved)
and approve or reject them. Requests are listed newest first, a page at a time (the API's cursors), all or
only those in one state.

An officer signs in with the officer's own token (``funding-officers.json``); the browser then holds an opaque
random session id (web/sessions.py: HttpOnly, SameSite=Strict, path /funding), never the token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from inzira.api.paging import CURSOR_CHARS_MAX
from inzira.api.problems import Problem
from inzira.api.tokens import TokenBook
from inzira.funding.desk import FundingDesk, Officer
from inzira.funding.errors import FundingError
from inzira.funding.paging import request_page
from inzira.funding.store import STATES
from inzira.node.signer import wall_clock_ms
from inzira.web.explorer_data import member_name
from inzira.web.forms import FormRefused, read_form
from inzira.web.rendering import render
from inzira.web.sessions import SESSION_TTL_MS, SessionBook, clear_session_cookie, set_session_cookie

COOKIE_NAME = "inzira_funding_session"
COOKIE_PATH = "/funding"
SESSIONS_MAX = 1_000
NOTE_CHARS_MAX = 500
PAGE_ROWS = 50
REQUEST_ID = r"^fr-[0-9a-f]{32}$"


def funding_pages(desk: FundingDesk, officers: Mapping[str, str],
                  clock_ms: Callable[[], int] = wall_clock_ms) -> APIRouter:
    book = TokenBook({token: name for name, token in officers.items() if name.partition("/")[0] in desk.issuers})
    sessions: SessionBook[Officer] = SessionBook(clock_ms, SESSION_TTL_MS, SESSIONS_MAX)
    router = APIRouter(prefix="/funding", include_in_schema=False)

    def signed_in(request: Request) -> Officer | None:
        session = sessions.get(request.cookies.get(COOKIE_NAME))
        return session.role if session else None

    def decided_note(officer: Officer | None, request_id: str) -> str:
        """What became of the request this officer just decided: the page after a decision says so."""
        if officer is None or not re.fullmatch(REQUEST_ID, request_id):  # a hand-edited link is only ignored
            return ""
        found = desk.store.get(request_id)
        if found is None or found.issuer != officer.issuer:
            return ""
        seen = desk.view(found)
        if seen["state"] == "pending":
            return (f"Your approval of {found.id} ({seen['amount']}) is recorded: {len(seen['approvals'])} of "
                    f"{seen['approvals_needed']} approvals. It needs another officer's approval.")
        return f"Request {found.id} ({seen['amount']}) is now {seen['state']}."

    def page(request: Request, officer: Officer | None, status: int = 200, error: str = "", state: str = "",
             cursor: str = "", decided: str = "") -> Response:
        found, next_cursor = [], None
        if officer is not None and state not in ("", *STATES):
            status, error = 400, f"There is no state {state!r}: {', '.join(STATES)}."
        elif officer is not None:
            try:
                found, next_cursor = request_page(desk.store, (officer.issuer,), None, state or None, PAGE_ROWS,
                                                  cursor or None, desk.clock_ms())
            except Problem:
                status, error = 400, "That page link is not one this page gave out: start from the first page."
        node = desk.node
        response = render(request, "funding/page.html", {
            "network": node.genesis.network, "chain_id": node.chain_id.hex(), "height": node.height,
            "public_accounts": False, "name_of": lambda member: member_name(node, member), "officer": officer,
            "requests": [desk.view(r, officer=True) for r in found],
            "error": error, "state": state if state in STATES else "", "states": STATES, "next_cursor": next_cursor,
            "first_page": not cursor, "decided": decided_note(officer, decided)}, status)
        response.headers["Cache-Control"] = "no-store"
        return response

    def back(decided: str = "") -> Response:
        return RedirectResponse(f"/funding?decided={decided}" if decided else "/funding", status_code=303)

    @router.get("")
    async def show(request: Request, state: str = Query("", max_length=16),
                   cursor: str = Query("", max_length=CURSOR_CHARS_MAX),
                   decided: str = "") -> Response:
        return page(request, signed_in(request), state=state, cursor=cursor, decided=decided)

    @router.post("/sign-in")
    async def sign_in(request: Request) -> Response:
        try:
            form = await read_form(request)
        except FormRefused as exc:
            return page(request, None, exc.status, str(exc))
        name = book.member_for(str(form.get("token", "")))
        if name is None:
            return page(request, None, 401, "That is not an officer token of this issuer.")
        issuer = name.partition("/")[0]
        sessions.close(request.cookies.get(COOKIE_NAME))  # a new id at every sign-in, and no earlier one left open
        session = sessions.open(issuer, issuer, Officer(issuer, name))
        response = back()
        set_session_cookie(response, COOKIE_NAME, COOKIE_PATH, session, SESSION_TTL_MS,
                           request.url.scheme == "https")
        return response

    @router.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        try:
            await read_form(request)  # only this site's own button: a sibling site's page gets SameSite cookies
        except FormRefused as exc:
            return page(request, signed_in(request), exc.status, str(exc))
        sessions.close(request.cookies.get(COOKIE_NAME))
        response = back()
        clear_session_cookie(response, COOKIE_NAME, COOKIE_PATH, request.url.scheme == "https")
        return response

    @router.post("/requests/{request_id}/{decision}")
    async def decide(request: Request, request_id: str = Path(max_length=40, pattern=REQUEST_ID),
                     decision: str = Path(pattern="^(approve|reject)$")) -> Response:
        officer = signed_in(request)
        if officer is None:
            return page(request, None, 401, "Sign in first.")
        try:
            note = str((await read_form(request)).get("note", ""))[:NOTE_CHARS_MAX]
            if decision == "approve":
                await desk.approve(officer, request_id, note)
            else:
                desk.reject(officer, request_id, note)
        except FormRefused as exc:
            return page(request, officer, exc.status, str(exc))
        except FundingError as exc:
            return page(request, officer, exc.status, f"{exc.detail} ({exc.code})")
        return back(request_id)

    return router
