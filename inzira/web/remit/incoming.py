"""The receiving FSP's page: transfers coming in (in progress, paid out, returned), its RWF positions,
low-liquidity alerts with the thresholds that raise them, and how many payouts are to recover off-ledger (the
flagged payouts' own page: ``inzira.web.remit.flagged``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from inzira.money import MoneyError, parse_decimal_minor
from inzira.remit.api.views import summary
from inzira.remit.codes import RemitError
from inzira.remit.payout.types import PayoutStatus
from inzira.remit.records import TransferState
from inzira.remit.settings import PAYOUT_CURRENCY
from inzira.remit.store.flagged import FlaggedPayouts
from inzira.web.forms import NO_STORE, field_text
from inzira.web.remit.roles import PageRole
from inzira.web.remit.sessions import Session
from inzira.web.remit.site import RemitSite

INCOMING_MAX = 100
ALERTS_MAX = 20
_ON_CHAIN = (TransferState.RESERVED, TransferState.COMMITTED, TransferState.ABORTED)
_GROUPS = (("RESERVED", "In progress"), ("COMMITTED", "Paid out"), ("ABORTED", "Returned"))


def incoming_rows(site: RemitSite, member: str) -> list[dict[str, Any]]:
    """Newest first: what reached the chain for this FSP, with the state of its payout."""
    rows = []
    for record in site.service.transfers.page(receiving_fsp=member, states=_ON_CHAIN, limit=INCOMING_MAX):
        if not record.reserve_tx_id:
            continue
        payout = site.service.payouts.get(record.reserve_tx_id)
        rows.append({**summary(record), "payout": payout.status if payout else "NOT STARTED",
                     "payout_reason": payout.reason if payout else ""})
    return rows


def incoming_router(site: RemitSite) -> APIRouter:
    router = APIRouter()
    service = site.service

    def page(request: Request, session: Session, status_code: int = 200, problem: str = "") -> Response:
        rows = incoming_rows(site, session.member)
        groups = [(label, [r for r in rows if r["state"] == state]) for state, label in _GROUPS]
        paid_minor = sum(r["amount_received"]["amount_minor"] for r in rows if r["state"] == "COMMITTED")
        positions = [p for p in service.liquidity.positions(session.member) if p["currency"] == PAYOUT_CURRENCY]
        return site.render(request, "remit/incoming.html", session, status_code, groups=groups,
                           paid_minor=paid_minor, shown_max=INCOMING_MAX, positions=positions,
                           alerts=service.notices.alerts(session.member, ALERTS_MAX), problem=problem,
                           to_recover=FlaggedPayouts(service.db).count(session.member, (PayoutStatus.SUCCESSFUL,), ""))

    @router.get("/remit/incoming", include_in_schema=False)
    def incoming(request: Request) -> Response:
        who = site.gate(request, PageRole.RECEIVING)
        if isinstance(who, Response):
            return who
        return page(request, who)

    @router.post("/remit/incoming/thresholds", include_in_schema=False)
    async def threshold(request: Request) -> Response:
        """Alert when what is available on one of its RWF accounts falls below this (0 removes it)."""
        got = await site.gate_post(request, PageRole.RECEIVING)
        if isinstance(got, Response):
            return got
        who, form = got
        try:
            amount_minor = parse_decimal_minor(field_text(form, "threshold", 32), PAYOUT_CURRENCY)
            service.liquidity.set_threshold(who.member, field_text(form, "account", 81), amount_minor)
        except MoneyError as exc:
            return page(request, who, 400, f"Enter the threshold in RWF, like 50,000 ({exc}).")
        except RemitError as exc:
            return page(request, who, exc.status, f"{exc.detail} ({exc.code})")
        return RedirectResponse("/remit/incoming", 303, headers=NO_STORE)

    return router
