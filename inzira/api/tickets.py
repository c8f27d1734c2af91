"""Event-stream tickets: short-lived, signed stand-ins for a token in the one place a browser cannot send a
header (``EventSource``, ``<img src>``).

Tokens travel only in ``Authorization`` headers: a token in a URL ends up in server and proxy logs, browser
history and Referer headers, and stays valid. A caller that must put something in a URL first asks for a
ticket with its token in the header (``POST /v1/tickets``, or ``POST /v1/qr/tickets`` for a merchant's or
wallet's token) and passes ``?ticket=``. A ticket names its caller (a member, a merchant, a wallet) and its
expiry, under an HMAC with a key the server draws at start: it opens that caller's streams and images for
``TICKET_TTL_MS`` and nothing else (no other route accepts one), and is void after a restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable

from inzira.api.numbers import TIME_MS_MAX, parse_digits

TICKET_TTL_MS = 60_000
TICKET_CHARS_MAX = 256
TICKET_PATTERN = f"^[A-Za-z0-9_=.-]{{1,{TICKET_CHARS_MAX}}}$"
TICKET_DOC = ("A ticket from POST /v1/tickets (or /v1/qr/tickets), for clients that cannot send headers "
              "(EventSource, <img>): valid 60 s, for this caller only. Tokens are accepted only in the "
              "Authorization header.")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, altchars=b"-_", validate=True)


class TicketBook:
    def __init__(self, ttl_ms: int = TICKET_TTL_MS, clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
                 key: bytes | None = None) -> None:
        self.ttl_ms = ttl_ms
        self.clock_ms = clock_ms
        self._key = key or secrets.token_bytes(32)

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, b"inzira/event-ticket\n" + payload, hashlib.sha256).digest()

    def issue(self, subject: str) -> dict[str, object]:
        """A ticket for ``subject`` ("member:<id>", "merchant:<id>:<token tag>", "wallet:<id>:<token tag>") and
        when it expires."""
        expires_at_ms = self.clock_ms() + self.ttl_ms
        payload = f"{subject}\n{expires_at_ms}".encode()
        return {"ticket": f"{_b64(payload)}.{_b64(self._mac(payload))}", "expires_at_ms": expires_at_ms,
                "ttl_ms": self.ttl_ms}

    def subject(self, ticket: str) -> str | None:
        """Whom a valid, unexpired ticket names; None for anything else."""
        encoded, _, mac = ticket.partition(".") if len(ticket) <= TICKET_CHARS_MAX else ("", "", "")
        try:
            payload, given = _unb64(encoded), _unb64(mac)
        except (binascii.Error, ValueError):
            return None
        if not (payload and hmac.compare_digest(given, self._mac(payload))):
            return None
        subject, _, expires_text = payload.decode().rpartition("\n")
        expires_at_ms = parse_digits(expires_text, 0, TIME_MS_MAX)
        if expires_at_ms is None or expires_at_ms <= self.clock_ms():
            return None
        return subject
