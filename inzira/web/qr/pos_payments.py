"""The merchant's payments: the daily statement (totals, every payment with its on-chain proof), one
payment with its refunds, a refund (full or partial, never more than is left), the proof's file, and its
verification as a form post (Verify without JavaScript)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from inzira.money import MoneyError
from inzira.web.forms import NO_STORE, FormRefused, field_text
from inzira.http import HttpProblem
from inzira.web.qr.messages import Notice
from inzira.web.qr.pos import merchant_path
from inzira.web.qr.sessions import Grant, QrKind
from inzira.web.qr.site import (
    AMOUNT_CHARS_MAX,
    QrSite,
    checked_receipt,
    is_id,
    notice_of,
    parse_rwf,
    payment_receipt_file,
)
from inzira.web.receipts import VERIFY_PATH

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
CURSOR_CHARS_MAX = 80
STATEMENT_PAGE_PAYMENTS = 100
REASON_CHARS_MAX = 140


def pos_payments_router(site: QrSite) -> APIRouter:
    router = APIRouter()

    @router.get("/qr/pos/statement", include_in_schema=False)
    async def statement(request: Request, first: str = Query("", alias="from", max_length=10),
                        last: str = Query("", alias="to", max_length=10),
                        cursor: str = Query("", max_length=CURSOR_CHARS_MAX)) -> Response:
        grant = site.gate(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        params: dict[str, Any] = {"limit": STATEMENT_PAGE_PAYMENTS}
        if DATE_RE.fullmatch(first):
            params["from"] = first
            if DATE_RE.fullmatch(last):
                params["to"] = last
        if cursor:
            params["cursor"] = cursor
        try:
            found = await site.api.get(grant.token, f"{merchant_path(grant)}/statement", params)
        except HttpProblem as exc:
            return site.problem(request, grant, exc, back="/qr/pos/statement")
        return site.render(request, "qr/pos_statement.html", grant, statement=found)

    async def payment_page(request: Request, grant: Grant, payment_id: str, status_code: int = 200,
                           notice: Notice | None = None, form: dict[str, str] | None = None,
                           refunded: str = "", verify: bool = False) -> Response:
        payments = f"{merchant_path(grant)}/payments"
        verified: dict[str, Any] | None = None
        try:
            payment = await site.api.get(grant.token, f"{payments}/{payment_id}")
            if verify:
                verified = await checked_receipt(site, grant, payments, payment_id)
        except HttpProblem as exc:
            return site.problem(request, grant, exc)
        done = next((r for r in payment.get("refunds") or [] if r["refund_id"] == refunded), None)
        return site.render(request, "qr/pos_payment.html", grant, status_code, payment=payment, notice=notice,
                           form=form or {}, refunded=done, verify_path=VERIFY_PATH, verified=verified)

    @router.get("/qr/pos/payments/{payment_id}", include_in_schema=False)
    async def payment(request: Request, payment_id: str, refunded: str = "") -> Response:
        grant = site.gate(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        if not is_id(payment_id):
            return site.render(request, "qr/not_found.html", grant, 404, what=f"payment {payment_id}")
        return await payment_page(request, grant, payment_id, refunded=refunded if is_id(refunded) else "")

    @router.post("/qr/pos/payments/{payment_id}/refunds", include_in_schema=False)
    async def refund(request: Request, payment_id: str) -> Response:
        grant = site.gate(request, QrKind.POS)
        if isinstance(grant, Response):
            return grant
        if not is_id(payment_id):
            return site.render(request, "qr/not_found.html", grant, 404, what=f"payment {payment_id}")
        try:
            form = await site.form(request)
        except FormRefused as exc:
            return site.refused(request, grant, exc)
        typed = {"amount": field_text(form, "amount", AMOUNT_CHARS_MAX),
                 "reason": field_text(form, "reason", REASON_CHARS_MAX)}
        body: dict[str, Any] = {}
        if typed["amount"]:
            try:
                body["amount_minor"] = parse_rwf(typed["amount"])
            except MoneyError as exc:
                notice = Notice(400, "Enter the amount to refund in RWF, or leave it empty to refund all that is "
                                     "left.", str(exc))
                return await payment_page(request, grant, payment_id, 400, notice, typed)
        if typed["reason"]:
            body["reason"] = typed["reason"]
        try:
            done = await site.api.post(grant.token, f"{merchant_path(grant)}/payments/{payment_id}/refunds", body)
        except HttpProblem as exc:
            status, notice = notice_of(QrKind.POS, exc)
            return await payment_page(request, grant, payment_id, status, notice, typed)
        target = f"/qr/pos/payments/{payment_id}?refunded={done['refund_id']}"
        return RedirectResponse(target, 303, headers=NO_STORE)

    @router.post("/qr/pos/payments/{payment_id}/verify", include_in_schema=False)
    async def verify(request: Request, payment_id: str) -> Response:
        """Verify without JavaScript: the page again, with the receipt's verdict."""
        got = await site.gate_post(request, QrKind.POS)
        if isinstance(got, Response):
            return got
        grant = got[0]
        if not is_id(payment_id):
            return site.render(request, "qr/not_found.html", grant, 404, what=f"payment {payment_id}")
        return await payment_page(request, grant, payment_id, verify=True)

    @router.get("/qr/pos/payments/{payment_id}/receipt.json", include_in_schema=False)
    async def receipt(request: Request, payment_id: str) -> Response:
        return await payment_receipt_file(site, request, QrKind.POS, lambda g: f"{merchant_path(g)}/payments",
                                          payment_id)

    return router
