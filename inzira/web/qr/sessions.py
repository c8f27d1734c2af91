"""Page sessions of the QR pages: the browser holds an opaque random id, the server the customer's token.

The remittance pages' ``SessionBook`` keeps the sessions (random ids, lifetime, a bound on their number);
each kind of page has its own book and its own cookie, HttpOnly (no script reads it), SameSite=Strict (no
other site's page makes the browser send it, which protects the forms) and scoped to its pages, so one
browser may hold a POS and a wallet session at once. The token (``qrm_...`` or ``qrw_...``) is the
session's credential towards the API and never reaches the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Request
from starlette.responses import Response

from inzira.api.stream_credential import Credential, session_credential
from inzira.qr import tokens
from inzira.web.sessions import Session, SessionBook


class QrKind(StrEnum):
    POS = "pos"
    WALLET = "wallet"

    @property
    def home(self) -> str:
        return f"/qr/{self.value}"

    @property
    def sign_in_path(self) -> str:
        return f"/qr/{self.value}/sign-in"

    @property
    def cookie_name(self) -> str:
        return f"inzira_qr_{self.value}_session"

    @property
    def token_prefix(self) -> str:
        return tokens.MERCHANT_TOKEN_PREFIX if self is QrKind.POS else tokens.WALLET_TOKEN_PREFIX

    @property
    def label(self) -> str:
        return "merchant POS" if self is QrKind.POS else "visitor wallet"


@dataclass(frozen=True, slots=True)
class Grant:
    """What a signed-in page acts as: a merchant's POS or a visitor's wallet, with its token."""

    kind: QrKind
    owner_id: str  # the merchant id or the wallet id
    name: str  # shown in the page's bar
    token: str


def owner_of(kind: QrKind, token: str) -> str | None:
    """The merchant or wallet id a token of this kind names, or None if it is not one."""
    parsed = tokens.parse(token)
    if parsed is None or parsed.prefix != kind.token_prefix:
        return None
    return parsed.owner_id


class QrSessions:
    """One kind's sessions. The book's ``member`` holds the token (what the session acts with) and its role
    the page kind: the book keeps both as given."""

    def __init__(self, kind: QrKind, clock_ms: Callable[[], int]) -> None:
        self.kind = kind
        self.book = SessionBook(clock_ms)

    def open(self, token: str, name: str) -> Session:
        return self.book.open(token, name, self.kind)  # type: ignore[arg-type]  # a role of the QR pages

    def grant(self, request: Request) -> Grant | None:
        session = self.book.get(request.cookies.get(self.kind.cookie_name))
        if session is None:
            return None
        owner_id = owner_of(self.kind, session.member)
        return None if owner_id is None else Grant(self.kind, owner_id, session.member_name, session.member)

    def credential(self, request: Request) -> Credential:
        """What keeps a page's event stream open: its session (the token the relay calls the API with is the API's
        to check)."""
        session_id = request.cookies.get(self.kind.cookie_name)
        return session_credential(lambda: self.book.get(session_id) is not None)

    def close(self, request: Request) -> None:
        self.book.close(request.cookies.get(self.kind.cookie_name))

    def set_cookie(self, response: Response, session: Session, secure: bool) -> None:
        response.set_cookie(self.kind.cookie_name, session.session_id, max_age=self.book.ttl_ms // 1000,
                            path=self.kind.home, secure=secure, httponly=True, samesite="strict")

    def clear_cookie(self, response: Response, secure: bool) -> None:
        response.delete_cookie(self.kind.cookie_name, path=self.kind.home, secure=secure, httponly=True,
                               samesite="strict")
