"""Bodies on the simulator's wire (JSON, amounts as integers of minor units) and the checks the routes share.

Errors answer ``{"error": {"code": ..., "message": ...}}`` with a 4xx status, as acquirers' APIs do.
"""

from __future__ import annotations

import re

import httpx
import msgspec

REFERENCE_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
SESSION_ID_RE = re.compile(r"cs_[0-9a-f]{32}")
PAYMENT_ID_RE = re.compile(r"cp_[0-9a-f]{24}")
URL_CHARS_MAX = 2_048

# Session status: open (waiting for the card) -> pending (the card issuer has not answered) -> authorized,
# declined or timed_out; open -> expired (never paid); authorized -> refunded.
OPEN = "open"
PENDING = "pending"
AUTHORIZED = "authorized"
DECLINED = "declined"
TIMED_OUT = "timed_out"
EXPIRED = "expired"
REFUNDED = "refunded"
STATUSES = (OPEN, PENDING, AUTHORIZED, DECLINED, TIMED_OUT, EXPIRED, REFUNDED)


class NewSession(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    amount_minor: int
    currency: str
    reference: str  # the merchant's own id for it: one session per reference
    return_url: str | None = None  # where the card form sends the payer's browser once decided
    expires_in_ms: int | None = None


class Card(msgspec.Struct, frozen=True):
    brand: str
    last4: str


class Session(msgspec.Struct, frozen=True):
    """A payment session with its (single) card payment, as the acquirer holds it."""

    id: str
    reference: str
    amount_minor: int
    currency: str
    return_url: str | None
    status: str
    reason: str | None
    payment_id: str | None
    card: Card | None
    created_at_ms: int
    expires_at_ms: int
    attempted_at_ms: int | None
    timeout_at_ms: int | None  # a pending payment times out then
    decided_at_ms: int | None


class SessionView(msgspec.Struct, frozen=True):
    id: str
    reference: str
    amount_minor: int
    currency: str
    status: str
    reason: str | None
    payment_id: str | None
    card: Card | None
    created_at_ms: int
    expires_at_ms: int
    decided_at_ms: int | None
    card_form_url: str  # the card form posts here (card_number, expiry, cvc, name)
    return_url: str | None


class RefundRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    payment_id: str


class WebhookTarget(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    url: str | None


class SentCallback(msgspec.Struct, frozen=True):
    """One delivery attempt of a callback, as sent (the admin API lists them, newest first)."""

    event_id: str
    url: str
    body: str
    signature: str
    attempt: int
    status_code: int | None  # None: no answer
    at_ms: int


class SimStats(msgspec.Struct, frozen=True):
    sessions: dict[str, int]  # by status
    callbacks_sent: int
    callbacks_failed: int
    callbacks_dropped: int


class BadRequest(ValueError):
    """Input the simulator refuses with 400; ``code`` names the rule."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Refused(Exception):
    """A request the books refuse (reference reused, too many sessions...); the app maps ``code`` to a status."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def check_url(url: str, field: str, hosts: tuple[str, ...] | None = None) -> str:
    """An absolute http(s) URL without credentials (and, if ``hosts`` is given, on one of those hosts)."""
    if len(url) > URL_CHARS_MAX:
        raise BadRequest("invalid_url", f"{field} is longer than {URL_CHARS_MAX} characters")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError):
        raise BadRequest("invalid_url", f"{field} is not a URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.host or parsed.userinfo:
        raise BadRequest("invalid_url", f"{field} must be an absolute http(s) URL without credentials")
    if hosts is not None and parsed.host not in hosts:
        raise BadRequest("invalid_url", f"{field} must be on one of {list(hosts)}")
    return url


def view(session: Session, base_url: str) -> SessionView:
    return SessionView(session.id, session.reference, session.amount_minor, session.currency, session.status,
                       session.reason, session.payment_id, session.card, session.created_at_ms,
                       session.expires_at_ms, session.decided_at_ms, f"{base_url.rstrip('/')}/pay/{session.id}",
                       session.return_url)
