"""Server-side sessions of the pages: the browser holds only an opaque random id, in its cookie.

The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page can make the browser
send it, which is what protects the pages' forms), Secure when the page came over TLS, and scoped to the
pages that use it. It maps to the member and the role chosen at sign-in; no API token ever reaches the
browser. Sessions live in memory: a restart signs everybody out, which suits a single process. The book is
bounded twice: in all, and per member (per token on the QR pages), so nobody signing in again and again pushes
out anybody else's session. The remittance pages, the QR pages and a member's explorer each keep their own
book under their own cookie.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.responses import Response

SESSION_TTL_MS = 8 * 60 * 60 * 1000  # one working day
SESSIONS_MAX = 10_000  # the oldest is dropped to make room
# One member's (or, on the QR pages, one token's): whoever signs in without end drops its own oldest sessions, not
# everybody else's. A demo button shares one member among its visitors, so this leaves room for a crowd; its
# sessions count apart from those opened with the member's own credentials, which a button never pushes out.
MEMBER_SESSIONS_MAX = 100
SESSION_ID_BYTES = 32
SESSION_ID_CHARS_MAX = 64  # longer cookie values are not ours

R = TypeVar("R")  # what a session may do: each user of a book has its own kind of role


@dataclass(frozen=True, slots=True)
class Session(Generic[R]):
    session_id: str
    member: str
    member_name: str
    role: R
    created_at_ms: int
    expires_at_ms: int
    # Opened by a demo sign-in button rather than the member's own credential: such a session holds no power.
    by_button: bool = False


class SessionBook(Generic[R]):
    def __init__(self, clock_ms: Callable[[], int], ttl_ms: int = SESSION_TTL_MS,
                 sessions_max: int = SESSIONS_MAX, member_sessions_max: int = MEMBER_SESSIONS_MAX) -> None:
        self.clock_ms = clock_ms
        self.ttl_ms = ttl_ms
        self.sessions_max = sessions_max
        self.member_sessions_max = member_sessions_max
        self._sessions: dict[str, Session[R]] = {}  # insertion order = age: the first is the oldest
        # Each member's session ids, oldest first, by whether a demo button opened them.
        self._by_member: dict[tuple[str, bool], dict[str, None]] = {}
        self._lock = threading.Lock()

    def open(self, member: str, member_name: str, role: R, *, by_button: bool = False) -> Session[R]:
        now_ms = self.clock_ms()
        session = Session(secrets.token_urlsafe(SESSION_ID_BYTES), member, member_name, role, now_ms,
                          now_ms + self.ttl_ms, by_button)
        with self._lock:
            own = self._by_member.get((member, by_button), {})
            while len(own) >= self.member_sessions_max:
                self._drop(next(iter(own)))
            while len(self._sessions) >= self.sessions_max:
                self._drop(next(iter(self._sessions)))
            self._sessions[session.session_id] = session
            self._by_member.setdefault((member, by_button), {})[session.session_id] = None
        return session

    def get(self, session_id: str | None) -> Session[R] | None:
        if not session_id or len(session_id) > SESSION_ID_CHARS_MAX:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.expires_at_ms <= self.clock_ms():
                self._drop(session_id)
                return None
        return session

    def close(self, session_id: str | None) -> None:
        if session_id:
            with self._lock:
                self._drop(session_id)

    def _drop(self, session_id: str) -> None:
        """Forget a session (the lock held)."""
        session = self._sessions.pop(session_id, None)
        if session is None:
            return
        pool = (session.member, session.by_button)
        own = self._by_member.get(pool)
        if own is not None:
            own.pop(session_id, None)
            if not own:
                del self._by_member[pool]

    def __len__(self) -> int:
        return len(self._sessions)


def set_session_cookie(response: Response, name: str, path: str, session: Session[R], ttl_ms: int,
                       secure: bool) -> None:
    response.set_cookie(name, session.session_id, max_age=ttl_ms // 1000, path=path, secure=secure,
                        httponly=True, samesite="strict")


def clear_session_cookie(response: Response, name: str, path: str, secure: bool) -> None:
    response.delete_cookie(name, path=path, secure=secure, httponly=True, samesite="strict")
