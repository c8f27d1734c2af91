"""The remittance pages' sessions (``inzira.web.sessions``): their cookie, scoped to /remit, maps to the
member and the page role chosen at sign-in."""

from __future__ import annotations

from starlette.responses import Response

from inzira.web.remit.roles import PageRole
from inzira.web.sessions import Session, SessionBook, clear_session_cookie, set_session_cookie

__all__ = ["COOKIE_NAME", "COOKIE_PATH", "Session", "SessionBook", "clear_cookie", "set_cookie"]

COOKIE_NAME = "inzira_remit_session"
COOKIE_PATH = "/remit"


def set_cookie(response: Response, session: Session[PageRole], ttl_ms: int, secure: bool) -> None:
    set_session_cookie(response, COOKIE_NAME, COOKIE_PATH, session, ttl_ms, secure)


def clear_cookie(response: Response, secure: bool) -> None:
    clear_session_cookie(response, COOKIE_NAME, COOKIE_PATH, secure)
