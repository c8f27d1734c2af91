"""The visitor's receipt: what was paid to whom, at which rate, its refunds, and the on-chain proof (a link to
the transaction in the explorer, the ledger receipt as a file, and Verify, which checks that receipt against
the network's genesis only, as anyone could offline: in place with the script, else as a form post the server
answers with the page and the verdict)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from inzira.http import HttpProblem
from inzira.web.qr.sessions import Grant, QrKind
from inzira.web.qr.site import QrSite, checked_receipt, is_id, payment_receipt_file
from inzira.web.qr.wallet import wallet_path
from inzira.web.receipts import VERIFY_PATH


def wallet_receipts_router(site: QrSite) -> APIRouter:
    router = APIRouter()

    async def page(request: Request, grant: Grant, payment_id: str, verify: bool = False) -> Response:
        if not is_id(payment_id):
            return site.render(request, "qr/not_found.html", grant, 404, what=f"payment {payment_id}")
        payments = f"{wallet_path(grant)}/payments"
        verified: dict[str, Any] | None = None
        try:
            payment = await site.api.get(grant.token, f"{payments}/{payment_id}")
            if verify:
                verified = await checked_receipt(site, grant, payments, payment_id)
        except HttpProblem as exc:
            return site.problem(request, grant, exc)
        return site.render(request, "qr/wallet_payment.html", grant, payment=payment, verify_path=VERIFY_PATH,
                           verified=verified)

    @router.get("/qr/wallet/payments/{payment_id}", include_in_schema=False)
    async def receipt_page(request: Request, payment_id: str) -> Response:
        grant = site.gate(request, QrKind.WALLET)
        if isinstance(grant, Response):
            return grant
        return await page(request, grant, payment_id)

    @router.post("/qr/wallet/payments/{payment_id}/verify", include_in_schema=False)
    async def verify(request: Request, payment_id: str) -> Response:
        got = await site.gate_post(request, QrKind.WALLET)
        if isinstance(got, Response):
            return got
        return await page(request, got[0], payment_id, verify=True)

    @router.get("/qr/wallet/payments/{payment_id}/receipt.json", include_in_schema=False)
    async def receipt_file(request: Request, payment_id: str) -> Response:
        return await payment_receipt_file(site, request, QrKind.WALLET, lambda g: f"{wallet_path(g)}/payments",
                                          payment_id)

    return router
