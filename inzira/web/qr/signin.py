"""Signing in and out of the QR pages: the demo merchant or wallet in one click, or any merchant's POS token
(``qrm_...``) or wallet token (``qrw_...``) pasted once.

A token is checked by asking the API for its merchant or wallet, then kept in the server-side session only.
Every sign-in opens a new session id (no fixation).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from inzira.qr.tokens import TOKEN_CHARS_MAX
from inzira.web.forms import NO_STORE, FormRefused, field_text, over_tls
from inzira.http import HttpProblem
from inzira.web.qr.messages import Notice
from inzira.web.qr.sessions import QrKind, owner_of
from inzira.web.qr.site import NEXT_CHARS_MAX, QrSite, notice_of, safe_next


def _owner_path(kind: QrKind, owner_id: str) -> str:
    return f"/v1/qr/merchants/{owner_id}" if kind is QrKind.POS else f"/v1/qr/wallets/{owner_id}"


def signin_router(site: QrSite) -> APIRouter:
    router = APIRouter()

    @router.get("/qr", include_in_schema=False)
    def landing(request: Request) -> Response:
        signed = {kind: site.grant(request, kind) for kind in QrKind}
        return site.render(request, "qr/landing.html", None, signed=signed, demo=site.demo)

    def page(request: Request, kind: QrKind, status_code: int = 200, notice: Notice | None = None,
             next_path: str = "") -> Response:
        return site.render(request, "qr/signin.html", site.grant(request, kind), status_code, kind=kind,
                           demo=site.demo, notice=notice, next_path=next_path)

    async def sign_in(request: Request, kind: QrKind) -> Response:
        try:
            form = await site.form(request)
        except FormRefused as exc:
            return site.refused(request, None, exc)
        next_path = safe_next(kind, field_text(form, "next", NEXT_CHARS_MAX)) or ""
        token = field_text(form, "token", TOKEN_CHARS_MAX + 1)
        if not token and field_text(form, "demo", 8) and site.demo is not None:
            token = site.demo.merchant_token if kind is QrKind.POS else site.demo.wallet_token
        owner_id = owner_of(kind, token) if token else None
        if owner_id is None:
            prefix = kind.token_prefix
            notice = Notice(401, f"Paste the {kind.label}'s token: it starts with {prefix}.", "not a token of "
                                                                                              "this kind")
            return page(request, kind, 401, notice, next_path)
        try:
            found = await site.api.get(token, _owner_path(kind, owner_id))
        except HttpProblem as exc:
            status, notice = notice_of(kind, exc)
            if exc.answered and exc.status in (401, 404):
                status, notice = 401, Notice(exc.code, "That token is not valid here.", exc.detail)
            return page(request, kind, status, notice, next_path)
        name = str(found.get("name") if kind is QrKind.POS else found.get("holder") or f"wallet {owner_id}")
        sessions = site.sessions[kind]
        sessions.close(request)
        session = sessions.open(token, name)
        response = RedirectResponse(next_path or kind.home, 303, headers=NO_STORE)
        sessions.set_cookie(response, session, over_tls(request))
        return response

    async def sign_out(request: Request, kind: QrKind) -> Response:
        try:
            await site.form(request)
        except FormRefused as exc:
            return site.refused(request, site.grant(request, kind), exc)
        sessions = site.sessions[kind]
        sessions.close(request)
        response = RedirectResponse(kind.sign_in_path, 303, headers=NO_STORE)
        sessions.clear_cookie(response, over_tls(request))
        return response

    for kind in QrKind:
        _routes(router, kind, page, sign_in, sign_out)
    return router


PageFn = Callable[..., Response]
ActFn = Callable[[Request, QrKind], Awaitable[Response]]


def _routes(router: APIRouter, kind: QrKind, page: PageFn, sign_in: ActFn, sign_out: ActFn) -> None:
    """The three sign-in routes of one kind (a function, so each closure holds its own kind)."""

    @router.get(kind.sign_in_path, include_in_schema=False)
    def sign_in_page(request: Request, next: str = "") -> Response:
        return page(request, kind, next_path=safe_next(kind, next[:NEXT_CHARS_MAX]) or "")

    @router.post(kind.sign_in_path, include_in_schema=False)
    async def sign_in_post(request: Request) -> Response:
        return await sign_in(request, kind)

    @router.post(f"{kind.home}/sign-out", include_in_schema=False)
    async def sign_out_post(request: Request) -> Response:
        return await sign_out(request, kind)
