"""The visitor's wallet, phone first: the balance in the wallet's currency (and about how much that is in RWF),
the start of a top-up by card (the card form is ``wallet_topups``), and the history of top-ups, payments and
refunds."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from inzira.api.numbers import digits
from inzira.fx.rates import RateError
from inzira.money import MoneyError, currency, parse_decimal_minor
from inzira.web.forms import NO_STORE, field_text, own_origin
from inzira.http import HttpProblem
from inzira.web.qr.messages import Notice
from inzira.web.qr.sessions import Grant, QrKind
from inzira.web.qr.site import AMOUNT_CHARS_MAX, QrSite, is_id, notice_of

HISTORY_PAGE_ENTRIES = 20
TOPUP_PAGE = "/qr/wallet/topups"
BEFORE_MAX = 2**62  # history positions are SQLite integers
Before = digits(1, BEFORE_MAX)


def wallet_path(grant: Grant) -> str:
    return f"/v1/qr/wallets/{grant.owner_id}"


def wallet_router(site: QrSite) -> APIRouter:
    router = APIRouter()

    def in_rwf(balance_minor: int, code: str) -> dict[str, Any] | None:
        """About how much the balance is worth in RWF at the mid-market reference rate (no fee applied)."""
        if site.rates is None:
            return None
        try:
            rate = site.rates.mid(code, "RWF")
        except RateError:
            return None
        units = Decimal(balance_minor).scaleb(-currency(code).exponent)
        return {"amount_minor": int((units * rate).to_integral_value(ROUND_DOWN)), "rate": rate}

    async def home(request: Request, grant: Grant, before: int | None, status_code: int = 200,
                   notice: Notice | None = None, topped_up: str = "", form: dict[str, str] | None = None) -> Response:
        params: dict[str, Any] = {"limit": HISTORY_PAGE_ENTRIES}
        if before is not None:
            params["before"] = before
        try:
            wallet = await site.api.get(grant.token, wallet_path(grant))
            history = await site.api.get(grant.token, f"{wallet_path(grant)}/history", params)
        except HttpProblem as exc:
            return site.problem(request, grant, exc, back="/qr")
        done = next((e for e in history["entries"] if topped_up and e["ref_id"] == topped_up), None)
        return site.render(request, "qr/wallet_home.html", grant, status_code, wallet=wallet, history=history,
                           rwf=in_rwf(wallet["balance_minor"], wallet["currency"]), notice=notice, topped_up=done,
                           form=form or {}, older=before is not None)

    @router.get("/qr/wallet", include_in_schema=False)
    async def wallet_home(request: Request, before: Before | None = None,
                          topped_up: str = Query("", max_length=64)) -> Response:
        grant = site.gate(request, QrKind.WALLET)
        if isinstance(grant, Response):
            return grant
        return await home(request, grant, before, topped_up=topped_up if is_id(topped_up) else "")

    @router.post("/qr/wallet/topups", include_in_schema=False)
    async def top_up(request: Request) -> Response:
        got = await site.gate_post(request, QrKind.WALLET)
        if isinstance(got, Response):
            return got
        grant, form = got
        typed = {"amount": field_text(form, "amount", AMOUNT_CHARS_MAX)}
        try:
            code = (await site.api.get(grant.token, wallet_path(grant)))["currency"]
        except HttpProblem as exc:
            return site.problem(request, grant, exc)
        try:
            amount_minor = parse_decimal_minor(typed["amount"], code)
        except MoneyError as exc:
            notice = Notice(400, "Enter the amount to top up, like 500.00.", str(exc))
            return await home(request, grant, None, 400, notice, form=typed)
        # The acquirer sends the browser back here once the card is decided ({topup_id}: the API fills it in).
        body = {"amount_minor": amount_minor, "return_url": f"{own_origin(request)}{TOPUP_PAGE}/{{topup_id}}"}
        try:
            opened = await site.api.post(grant.token, f"{wallet_path(grant)}/topups", body)
        except HttpProblem as exc:
            status, notice = notice_of(QrKind.WALLET, exc)
            return await home(request, grant, None, status, notice, form=typed)
        return RedirectResponse(f"{TOPUP_PAGE}/{opened['topup_id']}", 303, headers=NO_STORE)

    return router
