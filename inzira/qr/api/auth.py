"""Who is calling the QR API, and what it may reach.

Two kinds of callers:

- **members**, with their API token (``Authorization: Bearer <member token>``, as on the ledger API): the
  acquirer for its merchants, the wallet issuer for its wallets;
- **customers** of those members, with the token handed out when the merchant or wallet was created:
  ``Bearer qrm_<merchant id>.<secret>`` (a merchant's POS page) or ``Bearer qrw_<wallet id>.<secret>`` (a
  visitor's wallet page). A customer token opens its own merchant or wallet only.

Tokens are read from the ``Authorization`` header only. Browsers cannot set headers on ``EventSource`` or
``<img src>``: those GET endpoints (event streams, QR images) also accept ``?ticket=``, a 60 s ticket that
``POST /v1/qr/tickets`` gives any of these callers for its own token (``inzira.api.tickets``). Anything not
visible to the caller answers 404, as if absent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Query, Request

from inzira.api.auth import member_caller, token_caller
from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext
from inzira.api.tickets import TICKET_DOC, TICKET_PATTERN
from inzira.qr import tokens
from inzira.qr.api.problems import QrProblem
from inzira.qr.codes import QrCode
from inzira.qr.records import Merchant, Wallet
from inzira.qr.service import QrService

SECURED = {"security": [{"HTTPBearer": []}]}  # the ledger API's bearer scheme, for the OpenAPI document


@dataclass(frozen=True, slots=True)
class Principal:
    member: str | None = None  # a member of the network, by its API token
    merchant_id: str | None = None  # a merchant's POS, by its qrm_ token
    wallet_id: str | None = None  # a visitor's wallet page, by its qrw_ token

    @property
    def subject(self) -> str:
        """Whom a ticket for this caller names."""
        if self.member is not None:
            return f"member:{self.member}"
        return f"merchant:{self.merchant_id}" if self.merchant_id is not None else f"wallet:{self.wallet_id}"


def _unauthenticated(detail: str) -> QrProblem:
    return QrProblem(401, ApiCode.UNAUTHENTICATED, detail, headers={"WWW-Authenticate": 'Bearer realm="inzira"'})


def dependencies(service: QrService) -> tuple[Callable[..., Awaitable[Principal]], Callable[..., Awaitable[Principal]]]:
    """(from the header only, from the header or else ``?ticket=``). One plain dependency each, reading the
    header itself: FastAPI's per-dependency cost is a good part of a request's on this path. Routes declare
    the bearer scheme for OpenAPI themselves (``SECURED``)."""

    async def from_token(request: Request, token: str | None) -> Principal:
        if not token:
            raise _unauthenticated("send Authorization: Bearer <token>")
        customer = tokens.parse(token)
        if customer is None:
            ctx: ApiContext = request.app.state.api
            caller = token_caller(token, ctx)
            return Principal(member=caller.member)
        directory = service.directory
        if customer.prefix == tokens.MERCHANT_TOKEN_PREFIX:
            merchant = directory.merchant(customer.owner_id)
            if merchant is not None and customer.matches(merchant.token_digest):
                return Principal(merchant_id=merchant.id)
        else:
            wallet = directory.wallet(customer.owner_id)
            if wallet is not None and customer.matches(wallet.token_digest):
                return Principal(wallet_id=wallet.id)
        raise _unauthenticated("the token is not valid")

    async def header(request: Request) -> Principal:
        return await from_token(request, _bearer(request))

    async def header_or_ticket(request: Request, ticket: str | None = Query(
            None, pattern=TICKET_PATTERN, description=TICKET_DOC)) -> Principal:
        token = _bearer(request)
        if token is not None or ticket is None:
            return await from_token(request, token)
        ctx: ApiContext = request.app.state.api
        kind, _, owner = (ctx.tickets.subject(ticket) or "").partition(":")
        if kind == "member":
            return Principal(member=member_caller(owner, ctx).member)
        if kind == "merchant" and service.directory.merchant(owner) is not None:
            return Principal(merchant_id=owner)
        if kind == "wallet" and service.directory.wallet(owner) is not None:
            return Principal(wallet_id=owner)
        raise _unauthenticated("the ticket is not valid or has expired: ask for another")

    return header, header_or_ticket


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def merchant_for(service: QrService, principal: Principal, merchant_id: str) -> Merchant:
    merchant = service.directory.merchant(merchant_id) if len(merchant_id) <= 64 else None
    if merchant is None or not (principal.member == merchant.acquirer or principal.merchant_id == merchant.id):
        raise QrProblem(404, QrCode.MERCHANT_NOT_FOUND, f"no merchant {merchant_id} visible to this caller")
    return merchant


def wallet_for(service: QrService, principal: Principal, wallet_id: str) -> Wallet:
    wallet = service.directory.wallet(wallet_id) if len(wallet_id) <= 64 else None
    if wallet is None or not (principal.member == wallet.issuer or principal.wallet_id == wallet.id):
        raise QrProblem(404, QrCode.WALLET_NOT_FOUND, f"no wallet {wallet_id} visible to this caller")
    return wallet
