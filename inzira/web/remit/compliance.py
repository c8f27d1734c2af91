"""The compliance officer's page: transfers held by screening, oldest first, a page at a time (the API's cursors:
creation time, then id), with the reasons (the list entry matched and its score), a decision on each with a
note, and the log of past decisions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from inzira.api.problems import Problem
from inzira.remit.api.transfer_pages import after, transfer_page
from inzira.remit.api.views import decision_view, summary
from inzira.remit.records import TransferState
from inzira.web.forms import NO_STORE, field_text
from inzira.web.remit.roles import PageRole
from inzira.web.remit.send_form import UUID_RE
from inzira.web.remit.sessions import Session
from inzira.web.remit.site import RemitSite

HELD_MAX = 50
DECISIONS_MAX = 50
NOTE_CHARS_MAX = 500  # the API's limit on a note


def held_rows(site: RemitSite, member: str, cursor: str) -> tuple[list[dict[str, Any]], str | None]:
    """A page of held transfers, oldest first, each with its screening decisions (the reasons it was held),
    from ``cursor`` (the first page without one); and the next page's cursor (None on the last)."""
    records = site.service.transfers.page(sending_fsp=member, states=(TransferState.HELD,), oldest_first=True,
                                          limit=HELD_MAX + 1, after=after(cursor))
    page = transfer_page(records, HELD_MAX)
    return ([{**row, "decisions": [decision_view(d) for d in site.service.transfers.decisions(row["transfer_id"])]}
             for row in page["items"]], page["next_cursor"])


def compliance_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    service = site.service

    def page(request: Request, session: Session, status_code: int = 200, problem: str = "",
             decided: str = "", cursor: str = "") -> Response:
        record = service.transfers.get(decided) if UUID_RE.fullmatch(decided) else None
        just_decided = summary(record) if record is not None and record.sending_fsp == session.member else None
        decisions = [decision_view(d) for _, d in service.transfers.decisions_of(session.member, DECISIONS_MAX)]
        try:
            held, next_cursor = held_rows(site, session.member, cursor)
        except Problem:  # a hand-edited address: the first page, and a word on what was wrong
            held, next_cursor = held_rows(site, session.member, "")
            cursor, status_code = "", 400
            problem = "That page of held transfers is not one this site gave out: the first one is shown."
        return site.render(request, "remit/compliance.html", session, status_code, held=held, decisions=decisions,
                           problem=problem, just_decided=just_decided, held_first=_href("") if cursor else "",
                           held_next=_href(next_cursor) if next_cursor else "")

    @router.get("/remit/compliance", include_in_schema=False)
    def compliance(request: Request, decided: str = "", held: str = "") -> Response:
        who = site.gate(request, PageRole.OFFICER)
        if isinstance(who, Response):
            return who
        return page(request, who, decided=decided[:64], cursor=held)

    @router.post("/remit/compliance/transfers/{transfer_id}/decision", include_in_schema=False)
    async def decide(request: Request, transfer_id: str) -> Response:
        """Approve (the transfer goes on chain) or reject (nothing moves), with the officer's note."""
        got = await site.gate_post(request, PageRole.OFFICER)
        if isinstance(got, Response):
            return got
        who, form = got
        decision, note = field_text(form, "decision", 8), field_text(form, "note", NOTE_CHARS_MAX)
        record = service.transfers.get(transfer_id) if UUID_RE.fullmatch(transfer_id) else None
        if record is None or record.sending_fsp != who.member:
            return page(request, who, 404, f"There is no transfer {transfer_id} at {who.member_name}.")
        if record.state is not TransferState.HELD:
            return page(request, who, 409, f"Transfer {transfer_id} is {record.state.value}, no longer held.")
        if decision == "approve":
            await service.desk.approve(who.member, record, note)
        elif decision == "reject":
            await service.desk.reject(who.member, record, note)
        else:
            return page(request, who, 400, "Choose approve or reject.")
        return RedirectResponse(f"/remit/compliance?decided={transfer_id}", 303, headers=NO_STORE)

    return router


def _href(cursor: str) -> str:
    """The page with its held transfers from ``cursor`` (the first page without one)."""
    return f"/remit/compliance?{urlencode({'held': cursor})}#held" if cursor else "/remit/compliance#held"
