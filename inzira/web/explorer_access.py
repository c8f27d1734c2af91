"""Who may read the explorer: anyone in the demo; on a member's own deployment, that member signed in.

A member's deployment mounts the explorer with ``MemberAccess``: every explorer address needs a session,
opened by pasting the member's own API token at ``/explorer/sign-in`` (checked against the API's tokens, then
forgotten). The session is the pages' kind (``inzira.web.sessions``, as the remittance and QR pages') under
the explorer's own cookie: HttpOnly, SameSite=Strict, Secure over TLS. The viewer's roles are read from the
ledger state at every request, as the API reads a caller's, so a membership change applies at once.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from inzira.api.codes import ApiCode
from inzira.api.problems import Problem, problem_response
from inzira.api.stream_credential import Credential, member_lapse, session_credential
from inzira.api.tokens import TOKEN_CHARS_MAX, TokenBook
from inzira.api.visibility import Caller
from inzira.node.node import Node
from inzira.node.signer import wall_clock_ms
from inzira.web.explorer_data import Viewer, site_context
from inzira.web.forms import NO_STORE, FormRefused, field_text, over_tls, read_form
from inzira.web.rendering import render
from inzira.web.sessions import SessionBook, clear_session_cookie, set_session_cookie

COOKIE_NAME = "inzira_explorer_session"
COOKIE_PATH = "/"  # the explorer's pages start at the site's root
SIGN_IN_PATH = "/explorer/sign-in"
SIGN_OUT_PATH = "/explorer/sign-out"
SESSION_ROLE = "explorer"  # the one thing such a session does: read the explorer as its member
NEXT_CHARS_MAX = 512

# What a route gets for a request: the viewer (None: the demo's public explorer), or the answer to send instead.
Gate = Callable[[Request], Viewer | None | Response]


def public(_request: Request) -> None:
    """The demo's explorer: anyone sees everything (its pages say so)."""
    return None


class MemberAccess:
    def __init__(self, node: Node, tokens: TokenBook, sessions: SessionBook[str] | None = None) -> None:
        """``tokens``: the API's own (the deployment's member only, on a peer)."""
        self.node = node
        self.tokens = tokens
        self.sessions: SessionBook[str] = sessions if sessions is not None else SessionBook(wall_clock_ms)

    def viewer(self, request: Request) -> Viewer | None:
        session = self.sessions.get(request.cookies.get(COOKIE_NAME))
        record = self.node.state.members.get(session.member) if session is not None else None
        if record is None:  # not signed in, or no longer a member (the API answers that member 403)
            return None
        return Viewer(Caller(record.id, frozenset(record.roles)), record.name)

    def page(self, request: Request) -> Viewer | Response:
        """The viewer, or the way to sign in (coming back here afterwards)."""
        viewer = self.viewer(request)
        if viewer is not None:
            return viewer
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{SIGN_IN_PATH}?next={quote(target, safe='')}", 303, headers=NO_STORE)

    def data(self, request: Request) -> Viewer | Response:
        """The same check for what scripts fetch (the block stream, the verifier): a problem, no page."""
        viewer = self.viewer(request)
        if viewer is not None:
            return viewer
        problem = Problem(401, ApiCode.UNAUTHENTICATED, f"sign in to the explorer first ({SIGN_IN_PATH})",
                          headers=NO_STORE)
        return problem_response(problem, request.url.path)

    def credential(self, request: Request) -> Credential:
        """What keeps the viewer's block stream open: its session, and its member in the network."""
        session_id = request.cookies.get(COOKIE_NAME)
        session = self.sessions.get(session_id)
        member = session.member if session is not None else ""
        return session_credential(lambda: self.sessions.get(session_id) is not None,
                                  lambda: member_lapse(self.node.state, member))

    def router(self) -> APIRouter:
        router = APIRouter()

        def page(request: Request, status_code: int = 200, error: str = "", next_path: str = "") -> Response:
            context = site_context(self.node, False, self.viewer(request)) | {
                "error": error, "next_path": next_path, "sign_in_path": SIGN_IN_PATH, "members_only": True}
            response = render(request, "sign_in.html", context, status_code)
            response.headers.update(NO_STORE)
            return response

        @router.get(SIGN_IN_PATH, include_in_schema=False)
        def sign_in_page(request: Request, next: str = "") -> Response:
            return page(request, next_path=safe_next(next))

        @router.post(SIGN_IN_PATH, include_in_schema=False)
        async def sign_in(request: Request) -> Response:
            try:
                form = await read_form(request)
            except FormRefused as exc:
                return page(request, exc.status, str(exc))
            next_path = safe_next(field_text(form, "next", NEXT_CHARS_MAX + 1))
            member = self.tokens.member_for(field_text(form, "token", TOKEN_CHARS_MAX + 1))
            record = self.node.state.members.get(member) if member is not None else None
            if record is None:
                return page(request, 401, "That token is not valid here.", next_path)
            self.sessions.close(request.cookies.get(COOKIE_NAME))  # a new id at every sign-in: no fixation
            session = self.sessions.open(record.id, record.name, SESSION_ROLE)
            response = RedirectResponse(next_path or "/", 303, headers=NO_STORE)
            set_session_cookie(response, COOKIE_NAME, COOKIE_PATH, session, self.sessions.ttl_ms, over_tls(request))
            return response

        @router.post(SIGN_OUT_PATH, include_in_schema=False)
        async def sign_out(request: Request) -> Response:
            try:
                await read_form(request)
            except FormRefused as exc:
                return page(request, exc.status, str(exc))
            self.sessions.close(request.cookies.get(COOKIE_NAME))
            response = RedirectResponse(SIGN_IN_PATH, 303, headers=NO_STORE)
            clear_session_cookie(response, COOKIE_NAME, COOKIE_PATH, over_tls(request))
            return response

        return router


def safe_next(target: str) -> str:
    """A path on this site to go to after signing in; '' for anything else (no open redirect: browsers drop
    tabs and newlines from a URL, so "/<tab>/host" would become "//host")."""
    if (target.startswith("/") and "//" not in target and "\\" not in target and len(target) <= NEXT_CHARS_MAX
            and target.isascii() and target.isprintable() and " " not in target
            and not target.startswith(SIGN_IN_PATH)):
        return target
    return ""
