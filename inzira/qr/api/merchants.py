"""Merchant endpoints: onboarding, the counter (static) QR, bills (dynamic QRs), QR images, the acquirer's
webhook. The acquirer calls them with its member token, the merchant's POS with its ``qrm_`` token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Path
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from inzira.ledger.codes import Code
from inzira.ledger.ids import MEMBER_ID_RE
from inzira.qr.api.answers import BillOut, MerchantCreated, MerchantOut, QrImageLinks, WebhookOut
from inzira.qr.api.auth import Principal, merchant_for
from inzira.qr.api.common import BillId, MerchantId, created, ok, unwrap
from inzira.qr.api.problems import QrProblem, docs
from inzira.qr.api.requests import BillCreate, MerchantCreate, WebhookSet
from inzira.qr.emv import AlternateLanguage
from inzira.qr.images import QrImageError, payload_png, payload_svg
from inzira.qr.merchants import MerchantSpec
from inzira.qr.records import PAID
from inzira.qr.service import QrService
from inzira.qr.views import bill_view, merchant_view, payment_view

IMAGE_CACHE = {"Cache-Control": "private, max-age=300"}  # a payload never changes: its image neither
_IMAGE_DOC = {"content": {"image/svg+xml": {}, "image/png": {}}, "description": "The QR code"}

PrincipalDep = Callable[..., Awaitable[Principal]]


async def image(payload: str, kind: str) -> Response:
    try:
        if kind == "svg":
            return Response(await run_in_threadpool(payload_svg, payload), media_type="image/svg+xml",
                            headers=IMAGE_CACHE)
        return Response(await run_in_threadpool(payload_png, payload), media_type="image/png", headers=IMAGE_CACHE)
    except QrImageError as exc:
        raise QrProblem(400, Code.VALIDATION, exc.message) from None


def _member(principal: Principal) -> str:
    if principal.member is None:
        raise QrProblem(403, Code.PERMISSION, "only the acquiring member (its API token) may do this")
    return principal.member


def merchants_router(service: QrService, principal: PrincipalDep,
                     principal_or_ticket: PrincipalDep) -> APIRouter:
    router = APIRouter(prefix="/v1/qr", tags=["qr merchants"])

    @router.post("/merchants", summary="Onboard a merchant (acquirer): opens its RWF account on chain",
                 response_class=Response, status_code=201,
                 responses={201: {"model": MerchantCreated, "description": "The merchant, its static QR and its "
                                  "POS token (shown once)"}, **docs(400, 401, 403, 422, 503, 504)})
    async def create_merchant(body: MerchantCreate, who: Principal = Depends(principal)) -> Response:
        alt = body.alternate
        spec = MerchantSpec(body.name, body.city, body.mcc, body.location, body.postal_code,
                            None if alt is None else AlternateLanguage(alt.language, alt.name, alt.city))
        merchant, token = unwrap(await service.merchants.create(_member(who), spec))
        return created({**merchant_view(merchant), "merchant_token": token})

    @router.get("/merchants/{merchant_id}", summary="A merchant, with its account's balance on chain",
                response_class=Response,
                responses={200: {"model": MerchantOut, "description": "The merchant"}, **docs(401, 404)})
    def get_merchant(merchant_id: str = MerchantId, who: Principal = Depends(principal)) -> Response:
        merchant = merchant_for(service, who, merchant_id)
        account = service.port.account(merchant.account)
        return ok({**merchant_view(merchant), "balance_minor": None if account is None else account.balance_minor})

    @router.get("/merchants/{merchant_id}/qr", summary="The counter (static) QR: payload and image links",
                response_class=Response,
                responses={200: {"model": QrImageLinks, "description": "Static QR"}, **docs(401, 404)})
    async def static_qr(merchant_id: str = MerchantId, who: Principal = Depends(principal)) -> Response:
        return ok(merchant_view(merchant_for(service, who, merchant_id))["static_qr"])

    @router.get("/merchants/{merchant_id}/qr.{kind}", summary="The counter QR as an image (SVG or PNG)",
                response_class=Response, responses={200: _IMAGE_DOC, **docs(401, 404)})
    async def static_qr_image(merchant_id: str = MerchantId, kind: str = Path(pattern="^(svg|png)$"),
                              who: Principal = Depends(principal_or_ticket)) -> Response:
        return await image(merchant_for(service, who, merchant_id).static_payload, kind)

    @router.post("/merchants/{merchant_id}/bills", summary="Make a bill: a dynamic QR with amount and bill number",
                 response_class=Response, status_code=201,
                 responses={201: {"model": BillOut, "description": "The bill and its QR"},
                            **docs(400, 401, 404, 429, 503)})
    async def create_bill(body: BillCreate, merchant_id: str = MerchantId,
                          who: Principal = Depends(principal)) -> Response:
        merchant = merchant_for(service, who, merchant_id)
        bill = unwrap(await service.merchants.create_bill(merchant, body.amount_minor, body.bill_number,
                                                          body.expires_in_ms, body.terminal_label))
        return created(bill_view(bill, service.port.now_ms()))

    @router.get("/merchants/{merchant_id}/bills/{bill_id}", summary="A bill's status (open, paying, paid, expired)",
                response_class=Response,
                responses={200: {"model": BillOut, "description": "The bill, with its payment once paid"},
                           **docs(401, 404)})
    def get_bill(merchant_id: str = MerchantId, bill_id: str = BillId, who: Principal = Depends(principal)) -> Response:
        merchant = merchant_for(service, who, merchant_id)
        bill = unwrap(service.merchants.bill(merchant, bill_id))
        view = bill_view(bill, service.port.now_ms())
        paid = service.reader.payment(bill.payment_id) if bill.status == PAID and bill.payment_id else None
        view["payment"] = None if paid is None else payment_view(paid, merchant.name, for_wallet=False)
        return ok(view)

    @router.get("/merchants/{merchant_id}/bills/{bill_id}/qr.{kind}", summary="A bill's QR as an image",
                response_class=Response, responses={200: _IMAGE_DOC, **docs(401, 404)})
    async def bill_qr_image(merchant_id: str = MerchantId, bill_id: str = BillId,
                            kind: str = Path(pattern="^(svg|png)$"),
                            who: Principal = Depends(principal_or_ticket)) -> Response:
        merchant = merchant_for(service, who, merchant_id)
        return await image(unwrap(service.merchants.bill(merchant, bill_id)).payload, kind)

    def _webhook_view(acquirer: str) -> dict[str, object]:
        return {"acquirer": acquirer, "url": service.hooks.url(acquirer), "key_id": acquirer,
                "public_key": service.port.public_key(acquirer).hex()}

    def _own(who: Principal, acquirer: str) -> str:
        if _member(who) != acquirer or not service.merchants.is_acquirer(acquirer):
            raise QrProblem(403, Code.PERMISSION, f"only {acquirer}, as an acquirer here, manages its webhook")
        return acquirer

    @router.put("/acquirers/{acquirer}/webhook", summary="Register the acquirer's webhook URL (payments, refunds)",
                response_class=Response,
                responses={200: {"model": WebhookOut, "description": "Registered"}, **docs(400, 401, 403)})
    async def set_webhook(body: WebhookSet, acquirer: str = Path(pattern=f"^{MEMBER_ID_RE.pattern}$"),
                          who: Principal = Depends(principal)) -> Response:
        url = unwrap(await service.merchants.set_webhook(_own(who, acquirer), body.url))
        service.hooks.set_url(acquirer, url)
        return ok(_webhook_view(acquirer))

    @router.get("/acquirers/{acquirer}/webhook", summary="The acquirer's webhook URL and the key that signs",
                response_class=Response,
                responses={200: {"model": WebhookOut, "description": "Registration"}, **docs(401, 403)})
    def get_webhook(acquirer: str = Path(pattern=f"^{MEMBER_ID_RE.pattern}$"),
                    who: Principal = Depends(principal)) -> Response:
        return ok(_webhook_view(_own(who, acquirer)))

    return router
