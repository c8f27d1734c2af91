"""What every remittance page shares: the service, the sessions, the role gate, forms and rendering.

Pages read and act through the remittance service in-process, as the member signed in; they never call
the HTTP API, so no API token is needed (or shown) once a session is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from starlette.datastructures import FormData
from starlette.responses import JSONResponse, RedirectResponse, Response

from inzira.api.stream_credential import Credential, member_lapse, session_credential
from inzira.api.tokens import TokenBook
from inzira.node.node import Node
from inzira.remit.records import TransferRecord
from inzira.remit.service import RemitService
from inzira.web.explorer_data import member_name, site_context
from inzira.web.forms import NO_STORE, FormRefused, read_form
from inzira.web.remit.roles import LEDGER_ROLES, PageRole, qualifies
from inzira.web.remit.sessions import COOKIE_NAME, Session, SessionBook
from inzira.web.rendering import render


@dataclass
class RemitSite:
    service: RemitService
    sessions: SessionBook
    api_tokens: TokenBook
    officer_tokens: TokenBook
    demo_sign_in: bool
    public_accounts: bool

    @property
    def node(self) -> Node:
        return self.service.node

    def member_name(self, member: str) -> str:
        return member_name(self.node, member)

    def session(self, request: Request) -> Session | None:
        """The request's session while its member still qualifies for its page role: the ledger roles are read
        at every request, as the API reads a caller's, so a member removed or stripped of a role loses its pages
        at once, not when the session expires."""
        session = self.sessions.get(request.cookies.get(COOKIE_NAME))
        if session is None:
            return None
        record = self.node.state.members.get(session.member)
        if record is None or not qualifies(session.role, record.roles):
            self.sessions.close(session.session_id)
            return None
        return session

    def credential(self, session: Session) -> Credential:
        """What keeps a page's event stream open: the session, and its member holding a role of its page role."""
        roles = sorted(LEDGER_ROLES[session.role])
        return session_credential(lambda: self.sessions.get(session.session_id) is not None,
                                  lambda: member_lapse(self.node.state, session.member, roles))

    def render(self, request: Request, template: str, session: Session | None, status_code: int = 200,
               **context: Any) -> Response:
        frame = site_context(self.node, self.public_accounts) | {"session": session, "roles": PageRole}
        response = render(request, template, frame | context, status_code)
        response.headers.update(NO_STORE)
        return response

    def gate(self, request: Request, *roles: PageRole) -> Session | Response:
        """The session when its role may see this page; else the way to sign in, or a friendly 403."""
        session = self.session(request)
        if session is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/remit/sign-in?next={quote(target, safe='')}", 303, headers=NO_STORE)
        if session.role not in roles:
            return self.render(request, "remit/forbidden.html", session, 403, needed=roles)
        return session

    async def gate_post(self, request: Request, *roles: PageRole) -> tuple[Session, FormData] | Response:
        """A form post to a signed-in page: ``gate``, then this site's own form, or the page that refuses it."""
        session = self.gate(request, *roles)
        if isinstance(session, Response):
            return session
        try:
            return session, await self.form(request)
        except FormRefused as exc:
            return self.refused(request, session, exc)

    def gate_data(self, request: Request, *roles: PageRole) -> Session | Response:
        """The same check for what scripts fetch (event streams, receipt files): a status, no page."""
        session = self.session(request)
        if session is None:
            return JSONResponse({"detail": "sign in first"}, 401, headers=NO_STORE)
        if session.role not in roles:
            return JSONResponse({"detail": f"not for a {session.role.label}"}, 403, headers=NO_STORE)
        return session

    def may_view(self, session: Session, record: TransferRecord) -> bool:
        if session.role is PageRole.REGULATOR:
            return True
        if session.role in (PageRole.AGENT, PageRole.OFFICER):
            return record.sending_fsp == session.member
        return record.receiving_fsp == session.member and bool(record.reserve_tx_id)

    async def form(self, request: Request) -> FormData:
        return await read_form(request)

    def refused(self, request: Request, session: Session | None, error: FormRefused) -> Response:
        return self.render(request, "remit/refused.html", session, error.status, reason=str(error))


def safe_next(target: str) -> str | None:
    """A place on the remittance pages to go after signing in; None for anything else (no open redirect)."""
    if target.startswith("/remit/") and "//" not in target and "\\" not in target and len(target) <= 512:
        return target
    return None
