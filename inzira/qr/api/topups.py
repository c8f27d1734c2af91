"""Top-ups by card: the wallet (its page's token, or its issuer) asks, the issuer's card acquirer is paid
on its own card form, and only the acquirer's confirmation moves float (``inzira.qr.card_topups``). The
acquirer's callbacks come in without a token, signed with the issuer's webhook secret."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from inzira.qr.api.answers import TopUpOut
from inzira.qr.api.auth import Principal, wallet_for
from inzira.qr.api.common import ID_PATTERN, WalletId, created, ok, unwrap
from inzira.qr.api.problems import docs
from inzira.qr.api.requests import TopUpCreate
from inzira.qr.card_callback import SIGNATURE_HEADER
from inzira.qr.service import QrService
from inzira.qr.views import CARD_NOTIFICATIONS_PATH, card_topup_view

PrincipalDep = Callable[..., Awaitable[Principal]]
TopUpId = Path(pattern=ID_PATTERN, description="top_<17 hex digits>")
Issuer = Path(pattern="^[a-z0-9_-]{1,64}$", description="The wallet issuer the acquirer's callbacks are for")


def topups_router(service: QrService, principal: PrincipalDep) -> APIRouter:
    router = APIRouter(prefix="/v1/qr/wallets", tags=["qr wallets"])

    @router.post("/{wallet_id}/topups", summary="Top up by card: opens a card payment at the issuer's acquirer; "
                 "nothing moves until the acquirer confirms it", response_class=Response, status_code=201,
                 responses={201: {"model": TopUpOut, "description": "awaiting_card, with the card form's target"},
                            **docs(400, 401, 404, 422, 429, 503)})
    async def top_up(body: TopUpCreate, wallet_id: str = WalletId, who: Principal = Depends(principal)) -> Response:
        wallet = wallet_for(service, who, wallet_id)
        card = unwrap(await service.topups.request(wallet, body.amount_minor, body.return_url))
        return created(card_topup_view(card, None))

    @router.get("/{wallet_id}/topups/{topup_id}", summary="A top-up as it stands (read from the service's books)",
                response_class=Response,
                responses={200: {"model": TopUpOut, "description": "The top-up"}, **docs(401, 404)})
    async def get_top_up(wallet_id: str = WalletId, topup_id: str = TopUpId,
                         who: Principal = Depends(principal)) -> Response:
        card, credit = unwrap(service.topups.find(wallet_for(service, who, wallet_id), topup_id))
        return ok(card_topup_view(card, credit))

    @router.post("/{wallet_id}/topups/{topup_id}/check", summary="Ask the acquirer about the card payment now: "
                 "money moves only if it confirms the payment", response_class=Response,
                 responses={200: {"model": TopUpOut, "description": "The top-up, brought up to the acquirer's word"},
                            **docs(401, 404, 409, 503)})
    async def check(wallet_id: str = WalletId, topup_id: str = TopUpId,
                    who: Principal = Depends(principal)) -> Response:
        card, credit = unwrap(await service.topups.check(wallet_for(service, who, wallet_id), topup_id))
        return ok(card_topup_view(card, credit))

    return router


def card_notifications_router(service: QrService) -> APIRouter:
    router = APIRouter(prefix=CARD_NOTIFICATIONS_PATH, tags=["qr card acquirers"])

    @router.post("/{issuer}", summary="A card acquirer's callback (no token: signed with the issuer's webhook "
                 "secret, Card-Signature: t=<unix ms>,v1=<HMAC-SHA256 hex>); answered by asking the acquirer",
                 response_class=Response, openapi_extra={"security": []},
                 responses={200: {"description": "Taken: {received, topup_id, status}"},
                            **docs(400, 401, 404, 409, 503)})
    async def notification(request: Request, issuer: str = Issuer) -> Response:
        answer = await service.topups.notification(issuer, request.headers.get(SIGNATURE_HEADER),
                                                   await request.body())
        card, credit = unwrap(answer)
        return ok({"received": True, "topup_id": card.id, "status": card_topup_view(card, credit)["status"]})

    return router
