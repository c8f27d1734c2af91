"""Replacing and revoking customers' tokens (``inzira.qr.token_book``).

``POST .../token`` issues a new token and voids the old one at once: the acquirer for its merchant's POS, the
issuer for its wallet, or the holder for its own token (the new one is in the answer, once; a holder has a
small allowance of these, 429 3041 past it, which never holds back the member). ``DELETE .../token`` revokes
the token with no new one: the acquirer or the issuer only (403, 4300 for the holder). A merchant or wallet the
caller may not see is 404, as if it did not exist; a member that no longer holds the acquirer or wallet issuer
role is 403, 4300 (``auth.merchant_for``, ``auth.wallet_for``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from inzira.api.responses import NO_STORE, json_response
from inzira.ledger.codes import Code
from inzira.qr.api.auth import Principal, merchant_for, wallet_for
from inzira.qr.api.common import MerchantId, WalletId, unwrap
from inzira.qr.api.problems import QrProblem, docs
from inzira.qr.service import QrService

PrincipalDep = Callable[..., Awaitable[Principal]]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")
    revoked: bool = Field(description="true: the token was revoked and none replaces it")
    at_ms: int = Field(description="When the old token stopped opening anything")


class MerchantTokenOut(_Answer):
    merchant_id: str
    merchant_token: str = Field(description="qrm_<id>.<secret>: the POS page's new token, shown once")


class WalletTokenOut(_Answer):
    wallet_id: str
    wallet_token: str = Field(description="qrw_<id>.<secret>: the wallet page's new token, shown once")


class MerchantRevoked(_Answer):
    merchant_id: str


class WalletRevoked(_Answer):
    wallet_id: str


def _issuer_only(who: Principal, what: str) -> None:
    if who.member is None:
        raise QrProblem(403, Code.PERMISSION, f"only the {what} (its API token) revokes this token; a token "
                                              "holder replaces its own with POST")


def token_router(service: QrService, principal: PrincipalDep) -> APIRouter:
    router = APIRouter(prefix="/v1/qr", tags=["qr tokens"])
    book = service.token_book

    @router.post("/merchants/{merchant_id}/token", summary="Issue a new POS token: the old one stops working now",
                 response_class=Response,
                 responses={200: {"model": MerchantTokenOut, "description": "The new token (shown once)"},
                            **docs(401, 403, 404, 429, 503, 504)})
    async def new_merchant_token(merchant_id: str = MerchantId, who: Principal = Depends(principal)) -> Response:
        """The acquirer, for a POS tablet lost or stolen, or the POS itself with its current token. Open event
        streams and tickets of the old token end."""
        merchant = merchant_for(service, who, merchant_id)
        token, at_ms = unwrap(await book.new_merchant_token(merchant, who.member is None))
        return json_response({"merchant_id": merchant.id, "merchant_token": token, "revoked": False,
                              "at_ms": at_ms}, headers=NO_STORE)

    @router.delete("/merchants/{merchant_id}/token", summary="Revoke the POS token (acquirer): no new one",
                   response_class=Response,
                   responses={200: {"model": MerchantRevoked, "description": "Revoked"},
                              **docs(401, 403, 404, 503, 504)})
    async def revoke_merchant_token(merchant_id: str = MerchantId, who: Principal = Depends(principal)) -> Response:
        """The merchant's payments keep arriving and its balance stays; its POS opens nothing until the acquirer
        issues a new token."""
        merchant = merchant_for(service, who, merchant_id)
        _issuer_only(who, "acquirer")
        at_ms = unwrap(await book.revoke(merchant))
        return json_response({"merchant_id": merchant.id, "revoked": True, "at_ms": at_ms})

    @router.post("/wallets/{wallet_id}/token", summary="Issue a new wallet token: the old one stops working now",
                 response_class=Response,
                 responses={200: {"model": WalletTokenOut, "description": "The new token (shown once)"},
                            **docs(401, 403, 404, 429, 503, 504)})
    async def new_wallet_token(wallet_id: str = WalletId, who: Principal = Depends(principal)) -> Response:
        """The issuer, for a leaked or revoked token, or the wallet page itself with its current token."""
        wallet = wallet_for(service, who, wallet_id)
        token, at_ms = unwrap(await book.new_wallet_token(wallet, who.member is None))
        return json_response({"wallet_id": wallet.id, "wallet_token": token, "revoked": False, "at_ms": at_ms},
                             headers=NO_STORE)

    @router.delete("/wallets/{wallet_id}/token", summary="Revoke the wallet token (issuer): no new one",
                   response_class=Response,
                   responses={200: {"model": WalletRevoked, "description": "Revoked"},
                              **docs(401, 403, 404, 503, 504)})
    async def revoke_wallet_token(wallet_id: str = WalletId, who: Principal = Depends(principal)) -> Response:
        """The wallet can no longer pay, quote or top up; its balance stays on its account, untouched, and a
        new token from the issuer gives it back."""
        wallet = wallet_for(service, who, wallet_id)
        _issuer_only(who, "wallet issuer")
        at_ms = unwrap(await book.revoke(wallet))
        return json_response({"wallet_id": wallet.id, "revoked": True, "at_ms": at_ms})

    return router
