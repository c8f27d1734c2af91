"""Who is calling the QR API, and what it may reach.

Two kinds of callers:

- **members**, with their API token (``Authorization: Bearer <member token>``, as on the ledger API): the
  acquirer for its merchants, the wallet issuer for its wallets;
- **customers** of those members, with the token handed out when the merchant or wallet was created:
  ``Bearer qrm_<merchant id>.<secret>`` (a merchant's POS page) or ``Bearer qrw_<wallet id>.<secret>`` (a
  visitor's wallet page). A customer token opens its own merchant or wallet only.

A member acts for its merchants or wallets only while the ledger gives it the acquirer or wallet issuer role,
as onboarding checks: one whose role was taken away is refused (403, 4300) on every route that names them.

Tokens are read from the ``Authorization`` header only. Browsers cannot set headers on ``EventSource`` or
``<img src>``: those GET endpoints (event streams, QR images) also accept ``?ticket=``, a 60 s ticket that
``POST /v1/qr/tickets`` gives any of these callers for its own token (``inzira.api.tickets``). Anything not
visible to the caller answers 404, as if absent.

A customer's ticket names the token it was issued for (``tokens.tag``): once that token is replaced or revoked
(``inzira.qr.token_book``) its tickets open nothing, and its open streams end (``still_valid``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Query, Request

from inzira.api.auth import member_caller, token_caller
from inzira.api.codes import ApiCode
from inzira.api.context import ApiContext
from inzira.api.tickets import TICKET_DOC, TICKET_PATTERN
from inzira.ledger.codes import Code
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
    token_tag: str = ""  # which of the customer's tokens (tokens.tag), for a customer

    @property
    def subject(self) -> str:
        """Whom a ticket for this caller names, and with which token for a customer."""
        if self.member is not None:
            return f"member:{self.member}"
        if self.merchant_id is not None:
            return f"merchant:{self.merchant_id}:{self.token_tag}"
        return f"wallet:{self.wallet_id}:{self.token_tag}"


def still_valid(service: QrService, who: Principal) -> bool:
    """Whether the customer token ``who`` came with still opens its merchant or wallet (a member's token is
    the ledger API's to check)."""
    if who.merchant_id is not None:
        record: Merchant | Wallet | None = service.directory.merchant(who.merchant_id)
    elif who.wallet_id is not None:
        record = service.directory.wallet(who.wallet_id)
    else:
        return True
    return record is not None and bool(who.token_tag) and tokens.tag(record.token_digest) == who.token_tag


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
                return Principal(merchant_id=merchant.id, token_tag=tokens.tag(merchant.token_digest))
        else:
            wallet = directory.wallet(customer.owner_id)
            if wallet is not None and customer.matches(wallet.token_digest):
                return Principal(wallet_id=wallet.id, token_tag=tokens.tag(wallet.token_digest))
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
        owner_id, _, tag = owner.partition(":")
        customer = (Principal(merchant_id=owner_id, token_tag=tag) if kind == "merchant" else
                    Principal(wallet_id=owner_id, token_tag=tag) if kind == "wallet" else None)
        if customer is not None and still_valid(service, customer):
            return customer
        raise _unauthenticated("the ticket is not valid or has expired: ask for another")

    return header, header_or_ticket


def _bearer(request: Request) -> str | None:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def merchant_for(service: QrService, principal: Principal, merchant_id: str) -> Merchant:
    """The merchant, for its POS or its acquirer while it still holds the role (the network may take it away)."""
    merchant = service.directory.merchant(merchant_id) if len(merchant_id) <= 64 else None
    if merchant is None or not (principal.member == merchant.acquirer or principal.merchant_id == merchant.id):
        raise QrProblem(404, QrCode.MERCHANT_NOT_FOUND, f"no merchant {merchant_id} visible to this caller")
    if principal.member is not None and not service.merchants.is_acquirer(principal.member):
        raise _lost_role(principal.member, "acquire merchants")
    return merchant


def wallet_for(service: QrService, principal: Principal, wallet_id: str) -> Wallet:
    """The wallet, for its page or its issuer while it still holds the role."""
    wallet = service.directory.wallet(wallet_id) if len(wallet_id) <= 64 else None
    if wallet is None or not (principal.member == wallet.issuer or principal.wallet_id == wallet.id):
        raise QrProblem(404, QrCode.WALLET_NOT_FOUND, f"no wallet {wallet_id} visible to this caller")
    if principal.member is not None and not service.wallets.is_issuer(principal.member):
        raise _lost_role(principal.member, "issue visitor wallets")
    return wallet


def _lost_role(member: str, what: str) -> QrProblem:
    """As onboarding refuses a member without the role: what it made before is no longer its to act on."""
    return QrProblem(403, Code.PERMISSION, f"{member} does not {what} on this service")
