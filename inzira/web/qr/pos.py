"""The merchant's POS: today's takings and a new bill, the bill on screen as a large dynamic QR (turning to
PAID live, see ``relay``), and the counter's static QR. Every read and action goes through the QR API with
the merchant's token from the session.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from inzira.money import MoneyError
from inzira.web.forms import NO_STORE, field_text
from inzira.web.qr.bill_view import bill_context
from inzira.http import HttpProblem
from inzira.web.qr.messages import Notice
from inzira.web.qr.sessions import Grant, QrKind
from inzira.web.qr.site import AMOUNT_CHARS_MAX, QrSite, is_id, notice_of, parse_rwf

BILL_NUMBER_CHARS_MAX = 25
TODAY_PAYMENTS_MAX = 50
SVG_TYPE = "image/svg+xml"
IMAGE_HEADERS = {"Cache-Control": "private, max-age=300"}  # a payload never changes: nor does its image


def merchant_path(grant: Grant) -> str:
    return f"/v1/qr/merchants/{grant.owner_id}"


def pos_router(site: QrSite) -> APIRouter:
    router = APIRouter()

    async def home(request: Request, grant: Grant, status_code: int = 200, notice: Notice | None = None,
                   form: dict[str, str] | None = None) -> Response:
        try:
            merchant = await site.api.get(grant.token, merchant_path(grant))
            statement = await site.api.get(grant.token, f"{merchant_path(grant)}/statement",
                                           {"limit": TODAY_PAYMENTS_MAX})
        except HttpProblem as exc:
            return site.problem(request, grant, exc, back="/qr")
        return site.render(request, "qr/pos_home.html", grant, status_code, merchant=merchant, statement=statement,
                           notice=notice, form=form or {})

    @router.get("/qr/pos", include_in_schema=False)
    async def pos_home(request: Request) -> Response:
        grant = site.gate(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        return await home(request, grant)

    @router.post("/qr/pos/bills", include_in_schema=False)
    async def new_bill(request: Request) -> Response:
        got = await site.gate_post(request, QrKind.POS)
        if isinstance(got, Response):
            return got
        grant, form = got
        typed = {"amount": field_text(form, "amount", AMOUNT_CHARS_MAX),
                 "bill_number": field_text(form, "bill_number", BILL_NUMBER_CHARS_MAX)}
        try:
            body: dict[str, Any] = {"amount_minor": parse_rwf(typed["amount"])}
        except MoneyError as exc:
            return await home(request, grant, 400, Notice(400, "Enter the amount in RWF, like 15000.", str(exc)),
                              typed)
        if typed["bill_number"]:
            body["bill_number"] = typed["bill_number"]
        try:
            bill = await site.api.post(grant.token, f"{merchant_path(grant)}/bills", body)
        except HttpProblem as exc:
            status, notice = notice_of(QrKind.POS, exc)
            return await home(request, grant, status, notice, typed)
        return RedirectResponse(f"/qr/pos/bills/{bill['bill_id']}", 303, headers=NO_STORE)

    @router.get("/qr/pos/bills/{bill_id}", include_in_schema=False)
    async def bill_page(request: Request, bill_id: str) -> Response:
        grant = site.gate(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        if not is_id(bill_id):
            return site.render(request, "qr/not_found.html", grant, 404, what=f"bill {bill_id}")
        try:
            bill = await site.api.get(grant.token, f"{merchant_path(grant)}/bills/{bill_id}")
        except HttpProblem as exc:
            return site.problem(request, grant, exc)
        return site.render(request, "qr/pos_bill.html", grant, **bill_context(bill, bill.get("payment")))

    @router.get("/qr/pos/counter", include_in_schema=False)
    async def counter(request: Request) -> Response:
        grant = site.gate(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        try:
            merchant = await site.api.get(grant.token, merchant_path(grant))
        except HttpProblem as exc:
            return site.problem(request, grant, exc)
        return site.render(request, "qr/pos_counter.html", grant, merchant=merchant)

    async def image(request: Request, api_path: str) -> Response:
        grant = site.gate_data(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        try:
            answer = await site.api.raw(grant.token, f"{merchant_path(grant)}{api_path}")
        except HttpProblem as exc:
            return Response(status_code=exc.status if exc.status in (401, 404) else 502 if exc.answered else 503)
        return Response(answer.content, media_type=SVG_TYPE, headers=IMAGE_HEADERS)

    @router.get("/qr/pos/counter/qr.svg", include_in_schema=False)
    async def counter_image(request: Request) -> Response:
        return await image(request, "/qr.svg")

    @router.get("/qr/pos/bills/{bill_id}/qr.svg", include_in_schema=False)
    async def bill_image(request: Request, bill_id: str) -> Response:
        if not is_id(bill_id):
            return Response(status_code=404)
        return await image(request, f"/bills/{bill_id}/qr.svg")

    return router
