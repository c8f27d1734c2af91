"""Wallet endpoints: create (issuer), balance reconciled with the chain, history (top-ups by card are in
``topups``). The issuer calls them with its member token, the visitor's wallet page with its ``qrw_`` token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from inzira.api.numbers import INT64_MAX, digits
from inzira.ledger.codes import Code
from inzira.qr.api.answers import HistoryOut, WalletBalance, WalletCreated
from inzira.qr.api.auth import Principal, wallet_for
from inzira.qr.api.common import WalletId, created, ok, unwrap
from inzira.qr.api.problems import QrProblem, docs
from inzira.qr.api.requests import WalletCreate
from inzira.qr.service import QrService
from inzira.qr.views import wallet_view

PrincipalDep = Callable[..., Awaitable[Principal]]
HISTORY_PAGE_MAX = 200
Before = digits(1, INT64_MAX)
HistoryLimit = digits(1, HISTORY_PAGE_MAX)


def wallets_router(service: QrService, principal: PrincipalDep) -> APIRouter:
    router = APIRouter(prefix="/v1/qr/wallets", tags=["qr wallets"])

    @router.post("", summary="Issue a visitor wallet (wallet issuer): opens its account on chain",
                 response_class=Response, status_code=201,
                 responses={201: {"model": WalletCreated, "description": "The wallet and its page's token (shown "
                                  "once)"}, **docs(400, 401, 403, 422, 503, 504)})
    async def create_wallet(body: WalletCreate, who: Principal = Depends(principal)) -> Response:
        if who.member is None:
            raise QrProblem(403, Code.PERMISSION, "only the issuing member (its API token) creates wallets")
        wallet, token = unwrap(await service.wallets.create(who.member, body.currency, body.holder))
        return created({**wallet_view(wallet), "wallet_token": token})

    @router.get("/{wallet_id}", summary="The wallet and its balance, on chain and in the service's books",
                response_class=Response,
                responses={200: {"model": WalletBalance, "description": "Wallet and balance"}, **docs(401, 404)})
    async def get_wallet(wallet_id: str = WalletId, who: Principal = Depends(principal)) -> Response:
        return ok(service.wallets.balance(wallet_for(service, who, wallet_id)))

    @router.get("/{wallet_id}/history", summary="Top-ups, payments and refunds, newest first",
                response_class=Response,
                responses={200: {"model": HistoryOut, "description": "A page of history"}, **docs(400, 401, 404)})
    async def history(wallet_id: str = WalletId,
                      before: Annotated[Before | None, Query(description="next_before of the previous page")] = None,
                      limit: HistoryLimit = 50,
                      who: Principal = Depends(principal)) -> Response:
        return ok(service.wallets.history(wallet_for(service, who, wallet_id), before, limit))

    return router
