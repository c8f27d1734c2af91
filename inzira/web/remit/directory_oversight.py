"""The directory on the regulator's page: who looked up which number and what they were told, look-ups refused
for going over an allowance, and the disputes over numbers, with a keep-or-move decision on each.

Read and decided through the directory operator's API with the signed-in regulator's own token, as any other
client of the operator would: the operator answers the regulator role only. Deciding is a power, so never a
button: a session opened by a demo sign-in button views the disputes but decides none; that takes a session
opened with the regulator's own API token, as the compliance officer's holds take the officer's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from inzira.directory.answers import DISPUTE_ID_CHARS_MAX
from inzira.http import HttpProblem
from inzira.remit.service import RemitService
from inzira.web.forms import NO_STORE, FormRefused, field_text
from inzira.web.remit.roles import PageRole
from inzira.web.remit.site import RemitSite

AUDIT_ROWS = 50
DISPUTES_ROWS = 50
DECIDING_NEEDS_TOKEN = ("Deciding a directory dispute is a power: sign in with the regulator's own API token "
                        "(the demo keeps each member's in api-keys.json in its data folder), not a demo button.")


async def directory_oversight(service: RemitService, member: str) -> dict[str, Any]:
    """What the page shows of the directory, or why it cannot (``unavailable``)."""
    try:
        audit = await service.call(service.directory.audit(member, AUDIT_ROWS))
        disputes = await service.call(service.directory.disputes(member, DISPUTES_ROWS))
    except HttpProblem as exc:
        return {"unavailable": exc.detail, "audit": [], "refused": {}, "disputes": []}
    return {"unavailable": "", "audit": audit.items, "refused": audit.refused_by_member, "disputes": disputes.items}


def directory_oversight_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    service = site.service

    @router.post("/remit/regulator/disputes/{dispute_id}", include_in_schema=False)
    async def decide(request: Request, dispute_id: str) -> Response:
        """Keep the number where it is listed, or have the operator move it to the FSP that claimed it."""
        who = site.gate(request, PageRole.REGULATOR)
        if isinstance(who, Response):
            return who
        if who.by_button:
            return site.refused(request, who, FormRefused(403, DECIDING_NEEDS_TOKEN))
        try:
            form = await site.form(request)
        except FormRefused as exc:
            return site.refused(request, who, exc)
        outcome = field_text(form, "outcome", 8)
        if outcome not in ("keep", "move") or not 0 < len(dispute_id) <= DISPUTE_ID_CHARS_MAX:
            return site.refused(request, who, FormRefused(400, "Choose keep or move for a dispute on this page"))
        try:
            await service.call(service.directory.resolve(who.member, dispute_id, outcome))
        except HttpProblem as exc:
            return site.refused(request, who, FormRefused(exc.status if 400 <= exc.status < 500 else 503,
                                                          f"The directory operator refused: {exc.detail}"))
        return RedirectResponse("/remit/regulator#directory", 303, headers=NO_STORE)

    return router
