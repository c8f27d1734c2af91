"""Signing in and out: a demo member in one click, or any member (or officer) by pasting its token.

The demo buttons (the demo composition only) post a member and a page role; the server checks the member
may act in that role. Powers are never a button, even in the demo: a compliance officer always signs in with the
officer's own token, and a regulator's session opened by a button views the regulator's page but decides no
directory dispute (``directory_oversight``: that takes a session opened with the regulator's own API token).
A pasted token is checked against the API tokens (the page role follows from the member's ledger roles) and the
compliance officers' tokens, then forgotten: the session keeps only the member, the role and whether a button
opened it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from inzira.web.forms import NO_STORE, FormRefused, field_text, over_tls
from inzira.web.remit.roles import PageRole, qualifies, token_role
from inzira.web.remit.sessions import COOKIE_NAME, Session, clear_cookie, set_cookie
from inzira.web.remit.site import RemitSite, safe_next

TOKEN_CHARS_MAX = 256
MEMBER_CHARS_MAX = 32
DEMO_MEMBERS_MAX = 100
# Page roles whose every page is a power (clearing sanctions holds): their own credential, never a demo button.
CREDENTIAL_ONLY = frozenset({PageRole.OFFICER})


@dataclass(frozen=True, slots=True)
class DemoChoice:
    member: str
    member_name: str
    role: PageRole


def demo_choices(site: RemitSite) -> list[DemoChoice]:
    """Every (member, page role) pair of the network that a button may open, in page-role order."""
    members = sorted(site.node.state.members.values(), key=lambda m: m.id)[:DEMO_MEMBERS_MAX]
    return [DemoChoice(m.id, m.name, role) for role in PageRole if role not in CREDENTIAL_ONLY
            for m in members if qualifies(role, m.roles)]


def signin_router(site: RemitSite) -> APIRouter:
    router = APIRouter()

    def page(request: Request, status_code: int = 200, error: str = "", next_path: str = "") -> Response:
        choices = demo_choices(site) if site.demo_sign_in else []
        return site.render(request, "remit/signin.html", site.session(request), status_code, choices=choices,
                           error=error, next_path=next_path)

    def signed_in(request: Request, member: str, role: PageRole, next_path: str, *, by_button: bool) -> Response:
        site.sessions.close(request.cookies.get(COOKIE_NAME))  # a new id at every sign-in: no fixation
        session = site.sessions.open(member, site.member_name(member), role, by_button=by_button)
        target = next_path if next_path and _allowed(session, next_path) else role.home
        response = RedirectResponse(target, 303, headers=NO_STORE)
        set_cookie(response, session, site.sessions.ttl_ms, over_tls(request))
        return response

    @router.get("/remit", include_in_schema=False)
    def start(request: Request) -> Response:
        session = site.session(request)
        return RedirectResponse(session.role.home if session else "/remit/sign-in", 303, headers=NO_STORE)

    @router.get("/remit/sign-in", include_in_schema=False)
    def sign_in_page(request: Request, next: str = "") -> Response:
        return page(request, next_path=safe_next(next) or "")

    @router.post("/remit/sign-in", include_in_schema=False)
    async def sign_in(request: Request) -> Response:
        try:
            form = await site.form(request)
        except FormRefused as exc:
            return site.refused(request, site.session(request), exc)
        next_path = safe_next(field_text(form, "next", 512)) or ""
        token = field_text(form, "token", TOKEN_CHARS_MAX + 1)
        if token:
            return _by_token(request, token, next_path)
        member = field_text(form, "member", MEMBER_CHARS_MAX)
        try:
            role = PageRole(field_text(form, "role", 16))
        except ValueError:
            return page(request, 400, "Choose a member to sign in as, or paste a token.", next_path)
        if role in CREDENTIAL_ONLY:
            return page(request, 403, "A compliance officer signs in with the officer's own token.", next_path)
        record = site.node.state.members.get(member)
        if not site.demo_sign_in or record is None or not qualifies(role, record.roles):
            return page(request, 400, "That member cannot sign in in that role here.", next_path)
        return signed_in(request, member, role, next_path, by_button=True)

    def _by_token(request: Request, token: str, next_path: str) -> Response:
        officer_of = site.officer_tokens.member_for(token)
        if officer_of is not None:
            return signed_in(request, officer_of, PageRole.OFFICER, next_path, by_button=False)
        member = site.api_tokens.member_for(token)
        record = site.node.state.members.get(member) if member is not None else None
        if member is None or record is None:
            return page(request, 401, "That token is not valid on this network.", next_path)
        role = token_role(record.roles)
        if role is None:
            return page(request, 403, f"{record.name} has no remittance pages.", next_path)
        return signed_in(request, member, role, next_path, by_button=False)

    @router.post("/remit/sign-out", include_in_schema=False)
    async def sign_out(request: Request) -> Response:
        try:
            await site.form(request)
        except FormRefused as exc:
            return site.refused(request, site.session(request), exc)
        site.sessions.close(request.cookies.get(COOKIE_NAME))
        response = RedirectResponse("/remit/sign-in", 303, headers=NO_STORE)
        clear_cookie(response, over_tls(request))
        return response

    return router


def _allowed(session: Session, path: str) -> bool:
    """Only follow ``next`` into the pages of the role just chosen (or a transfer): no bounce to a 403."""
    return path.startswith(session.role.home) or path.startswith("/remit/transfers/")
