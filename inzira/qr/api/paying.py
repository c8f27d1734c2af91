"""The visitor's path: decode a scanned QR (text or image), get a quote, pay, read the payment and its proof."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from inzira.api.codes import ApiCode
from inzira.ledger.codes import Code
from inzira.qr.api.answers import PaymentOut, QuoteOut, ScanOut
from inzira.qr.api.auth import Principal, wallet_for
from inzira.qr.api import lean
from inzira.qr.api.common import ID_PATTERN, PaymentId, WalletId, created, ok, unwrap
from inzira.qr.api.lean import LeanRoute
from inzira.qr.api.problems import QrProblem, docs
from inzira.qr.api.requests import DecodeRequest, PayCreate, QuoteCreate
from inzira.qr.codes import QrCode
from inzira.qr.emv import payload_json
from inzira.qr.images import QrImageError, read_payloads
from inzira.qr.quotes import quote_view
from inzira.qr.records import Payment
from inzira.qr.scan import scan_view
from inzira.qr.service import QrService
from inzira.qr.views import payment_view, refund_view

PrincipalDep = Callable[..., Awaitable[Principal]]
IMAGE_PATH = "/v1/qr/decode/image"
IMAGE_BYTES_MAX = 8 * 1024 * 1024  # a phone photo; the app's body limit for IMAGE_PATH must allow it
IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif", "application/octet-stream")
_IMAGE_BODY = {"requestBody": {"required": True, "content": {t: {"schema": {"type": "string", "format": "binary"}}
                                                             for t in IMAGE_TYPES}}}
_DETAILS_TEXT = "Add every field of the payload (`emv`, as `inzira qr parse --json` prints it)"
DETAILS = Query(False, description=_DETAILS_TEXT)
_DETAILS = lean.params(("details", "query", {"type": "boolean", "default": False}, _DETAILS_TEXT))
_WALLET = lean.params(("wallet_id", "path", {"type": "string", "pattern": ID_PATTERN}, "The wallet's id"))
_RECEIPT_DOC = {"description": "The ledger's receipt (inzira-receipt/1): verify it offline with the genesis",
                "content": {"application/json": {}}}


def paying_router(service: QrService, principal: PrincipalDep) -> APIRouter:
    router = APIRouter(prefix="/v1/qr", tags=["qr paying"])

    def _scan(text: str, details: bool) -> dict[str, object]:
        scanned = unwrap(service.scanner.scan(text))
        view = scan_view(scanned, service.port.now_ms())
        return {**view, "emv": payload_json(scanned.decoded.payload)} if details else view

    # The three requests of every payment (decode, quote, pay) are lean routes: see inzira.qr.api.lean.
    async def decode(request: Request) -> Response:
        await principal(request)
        scanned = (await lean.body(request, DecodeRequest)).payload
        return ok(_scan(scanned, lean.flag(request, "details")))

    router.add_api_route("/decode", decode, methods=["POST"], route_class_override=LeanRoute,
                         summary="Read a scanned QR: the merchant (and bill) it names, or why it cannot be paid",
                         response_class=Response, openapi_extra={**lean.json_body(DecodeRequest), **_DETAILS},
                         responses={200: {"model": ScanOut, "description": "A payable Inzira QR"},
                                    **docs(400, 401, 404)})

    @router.post("/decode/image", summary="Read the QR in a photo or screenshot (PNG, JPEG, WebP, GIF; 8 MB)",
                 response_class=Response, openapi_extra=_IMAGE_BODY,
                 responses={200: {"model": ScanOut, "description": "As /decode, with the payloads found"},
                            **docs(400, 401, 404, 413, 415)})
    async def decode_image(request: Request, details: bool = DETAILS,
                           who: Principal = Depends(principal)) -> Response:
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type not in IMAGE_TYPES:
            raise QrProblem(415, ApiCode.CLIENT, f"send the image itself as one of {', '.join(IMAGE_TYPES)}")
        body = await request.body()
        if len(body) > IMAGE_BYTES_MAX:
            raise QrProblem(413, Code.TOO_LARGE, f"an image is at most {IMAGE_BYTES_MAX} bytes")
        try:
            found = await run_in_threadpool(read_payloads, body)
        except QrImageError as exc:
            raise QrProblem(400, QrCode.QR_INVALID, exc.message, emv_code=exc.code) from None
        if not found:
            raise QrProblem(400, QrCode.QR_INVALID, "no QR code found in the image", emv_code="no_qr")
        return ok({**_scan(found[0], details), "payloads": found})

    async def quote(request: Request) -> Response:
        wallet = wallet_for(service, await principal(request), lean.path(request, "wallet_id", ID_PATTERN))
        asked = await lean.body(request, QuoteCreate)
        made, scanned = unwrap(await service.quoter.quote(wallet, asked.payload, asked.amount_minor, asked.ttl_ms))
        return created(quote_view(made, scan_view(scanned, made.created_at_ms)))

    router.add_api_route("/wallets/{wallet_id}/quotes", quote, methods=["POST"], route_class_override=LeanRoute,
                         summary="Quote a payment: the RWF price in the wallet's currency", status_code=201,
                         response_class=Response, openapi_extra={**lean.json_body(QuoteCreate), **_WALLET},
                         responses={201: {"model": QuoteOut, "description": "A firm quote, until expires_at_ms"},
                                    **docs(400, 401, 404, 409, 410, 429, 503)})

    async def pay(request: Request) -> Response:
        wallet = wallet_for(service, await principal(request), lean.path(request, "wallet_id", ID_PATTERN))
        payment = unwrap(await service.payments.pay(wallet, (await lean.body(request, PayCreate)).quote_id))
        merchant = service.directory.merchant(payment.merchant_id)
        return created(payment_view(payment, "" if merchant is None else merchant.name, for_wallet=True))

    router.add_api_route("/wallets/{wallet_id}/payments", pay, methods=["POST"], route_class_override=LeanRoute,
                         summary="Pay a confirmed quote: one atomic transfer on chain", status_code=201,
                         response_class=Response, openapi_extra={**lean.json_body(PayCreate), **_WALLET},
                         responses={201: {"model": PaymentOut, "description": "Completed on chain (the same "
                                          "payment again when the quote was already paid)"},
                                    **docs(400, 401, 404, 409, 410, 422, 503, 504)})

    def _payment(wallet_id: str, payment_id: str, who: Principal) -> Payment:
        wallet = wallet_for(service, who, wallet_id)
        payment = service.reader.payment(payment_id)
        if payment is None or payment.wallet_id != wallet.id:
            raise QrProblem(404, QrCode.PAYMENT_NOT_FOUND, f"no payment {payment_id} from this wallet")
        return payment

    @router.get("/wallets/{wallet_id}/payments/{payment_id}", summary="A payment from the wallet, with refunds",
                response_class=Response,
                responses={200: {"model": PaymentOut, "description": "The payment"}, **docs(401, 404)})
    async def get_payment(wallet_id: str = WalletId, payment_id: str = PaymentId,
                          who: Principal = Depends(principal)) -> Response:
        payment = _payment(wallet_id, payment_id, who)
        merchant = service.directory.merchant(payment.merchant_id)
        refunds = [refund_view(r, for_wallet=True) for r in service.reader.refunds_of(payment.id)]
        return ok({**payment_view(payment, "" if merchant is None else merchant.name, for_wallet=True),
                   "refunds": refunds})

    @router.get("/wallets/{wallet_id}/payments/{payment_id}/receipt", summary="The payment's on-chain proof",
                response_class=Response, responses={200: _RECEIPT_DOC, **docs(401, 404)})
    async def payment_receipt(wallet_id: str = WalletId, payment_id: str = PaymentId,
                              who: Principal = Depends(principal)) -> Response:
        payment = _payment(wallet_id, payment_id, who)
        receipt = await run_in_threadpool(service.port.receipt, payment.tx_id) if payment.height else None
        if receipt is None:
            raise QrProblem(404, QrCode.PAYMENT_NOT_FOUND, f"payment {payment_id} is not in a block")
        return ok(receipt)

    return router
