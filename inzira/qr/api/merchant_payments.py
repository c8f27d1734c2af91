"""A merchant's payments: one payment with its refunds and proof, refunds, and the statement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from inzira.api.numbers import digits
from inzira.qr.api.answers import PaymentOut, RefundOut, StatementOut
from inzira.qr.api.auth import Principal, merchant_for
from inzira.qr.api.common import MerchantId, PaymentId, created, ok, unwrap
from inzira.qr.api.problems import QrProblem, docs
from inzira.qr.api.requests import RefundCreate
from inzira.qr.codes import QrCode
from inzira.qr.records import Merchant, Payment
from inzira.qr.service import QrService
from inzira.qr.statement import CURSOR_PATTERN
from inzira.qr.views import payment_view, refund_view

PrincipalDep = Callable[..., Awaitable[Principal]]
StatementLimit = digits(1, 500)
_RECEIPT_DOC = {"description": "The ledger's receipt (inzira-receipt/1): verify it offline with the genesis",
                "content": {"application/json": {}}}


def merchant_payments_router(service: QrService, principal: PrincipalDep) -> APIRouter:
    router = APIRouter(prefix="/v1/qr/merchants/{merchant_id}", tags=["qr merchants"])

    def _payment(merchant: Merchant, payment_id: str) -> Payment:
        payment = service.reader.payment(payment_id)
        if payment is None or payment.merchant_id != merchant.id:
            raise QrProblem(404, QrCode.PAYMENT_NOT_FOUND, f"{merchant.name} has no payment {payment_id}")
        return payment

    @router.get("/payments/{payment_id}", summary="A payment to the merchant, with its refunds",
                response_class=Response,
                responses={200: {"model": PaymentOut, "description": "The payment"}, **docs(401, 404)})
    def get_payment(merchant_id: str = MerchantId, payment_id: str = PaymentId,
                    who: Principal = Depends(principal)) -> Response:
        merchant = merchant_for(service, who, merchant_id)
        payment = _payment(merchant, payment_id)
        refunds = [refund_view(r, for_wallet=False) for r in service.reader.refunds_of(payment.id)]
        return ok({**payment_view(payment, merchant.name, for_wallet=False), "refunds": refunds})

    @router.get("/payments/{payment_id}/receipt", summary="The payment's on-chain proof", response_class=Response,
                responses={200: _RECEIPT_DOC, **docs(401, 404)})
    async def payment_receipt(merchant_id: str = MerchantId, payment_id: str = PaymentId,
                              who: Principal = Depends(principal)) -> Response:
        payment = _payment(merchant_for(service, who, merchant_id), payment_id)
        receipt = await run_in_threadpool(service.port.receipt, payment.tx_id) if payment.height else None
        if receipt is None:
            raise QrProblem(404, QrCode.PAYMENT_NOT_FOUND, f"payment {payment_id} is not in a block")
        return ok(receipt)

    @router.post("/payments/{payment_id}/refunds", summary="Refund all or part of a payment to the visitor's wallet",
                 response_class=Response, status_code=201,
                 responses={201: {"model": RefundOut, "description": "The refund, committed on chain"},
                            **docs(400, 401, 404, 409, 422, 503, 504)})
    async def refund(body: RefundCreate, merchant_id: str = MerchantId, payment_id: str = PaymentId,
                     who: Principal = Depends(principal)) -> Response:
        merchant = merchant_for(service, who, merchant_id)
        done = unwrap(await service.refunds.refund(merchant, payment_id, body.amount_minor, body.reason))
        return created(refund_view(done, for_wallet=False))

    @router.get("/statement", summary="Daily totals and every payment with its proof", response_class=Response,
                responses={200: {"model": StatementOut, "description": "The statement (a page of payments)"},
                           **docs(400, 401, 404)})
    async def statement(merchant_id: str = MerchantId,
                        first: date | None = Query(None, alias="from", description="First day (Kigali), default "
                                                                                   "today"),
                        last: date | None = Query(None, alias="to", description="Last day, default from"),
                        proofs: bool = Query(False, description="Add each payment's receipt (pages of 100)"),
                        limit: Annotated[StatementLimit, Query(description="Payments per page (100 with "
                                                                           "proofs)")] = 100,
                        cursor: str | None = Query(None, pattern=CURSOR_PATTERN,
                                                   description="next_cursor of the last page"),
                        who: Principal = Depends(principal)) -> Response:
        merchant = merchant_for(service, who, merchant_id)
        result = await run_in_threadpool(service.statements.statement, merchant, first, last, proofs, limit, cursor)
        return ok(unwrap(result))

    return router
