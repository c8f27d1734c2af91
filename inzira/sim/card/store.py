"""The acquirer's books in SQLite: payment sessions, each with at most one card payment.

A session moves forward only (``wire.STATUSES``); every change is one SQLite transaction. Time-driven
changes (an open session past its expiry, a pending payment past the card issuer's timeout) are applied
whenever the session is read, so a restarted simulator never answers a stale status.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from inzira.sim.card.cards import CardDecision
from inzira.sim.card.config import CardSimConfig
from inzira.sim.card.wire import (
    AUTHORIZED,
    DECLINED,
    EXPIRED,
    OPEN,
    PENDING,
    REFUNDED,
    TIMED_OUT,
    Card,
    NewSession,
    Refused,
    Session,
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE, amount_minor INTEGER NOT NULL, currency TEXT NOT NULL,
  return_url TEXT, status TEXT NOT NULL, reason TEXT, payment_id TEXT UNIQUE, card_brand TEXT, card_last4 TEXT,
  created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL, attempted_at_ms INTEGER, timeout_at_ms INTEGER,
  decided_at_ms INTEGER);
CREATE INDEX IF NOT EXISTS sessions_by_status ON sessions (status);
"""
_COLUMNS = ("id, reference, amount_minor, currency, return_url, status, reason, payment_id, card_brand, card_last4, "
            "created_at_ms, expires_at_ms, attempted_at_ms, timeout_at_ms, decided_at_ms")
PENDING_LIST_MAX = 10_000


def _session(row: Any) -> Session:
    card = None if row[8] is None else Card(row[8], row[9])
    return Session(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], card, row[10], row[11], row[12],
                   row[13], row[14])


class SessionStore:
    def __init__(self, config: CardSimConfig) -> None:
        self._config = config
        # The server's event loop writes; the lock makes reads from other threads (admin clients) safe too.
        self._lock = threading.Lock()
        self._db = sqlite3.connect(config.db_path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")  # an authorization is money the merchant was promised
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _row(self, db: sqlite3.Connection, where: str, key: str) -> Session | None:
        row = db.execute(f"SELECT {_COLUMNS} FROM sessions WHERE {where} = ?", (key,)).fetchone()
        return None if row is None else _session(row)

    def _set(self, db: sqlite3.Connection, session_id: str, now_ms: int, **changes: Any) -> Session:
        names = ", ".join(f"{name} = ?" for name in changes)
        db.execute(f"UPDATE sessions SET {names}, decided_at_ms = ? WHERE id = ?",
                   (*changes.values(), now_ms, session_id))
        found = self._row(db, "id", session_id)
        if found is None:
            raise RuntimeError(f"session {session_id} vanished inside a transaction")
        return found

    def _current(self, db: sqlite3.Connection, session: Session, now_ms: int) -> Session:
        """The session with its time-driven change applied (and stored)."""
        if session.status == OPEN and now_ms >= session.expires_at_ms:
            return self._set(db, session.id, now_ms, status=EXPIRED, reason="session_expired")
        if session.status == PENDING and session.timeout_at_ms is not None and now_ms >= session.timeout_at_ms:
            return self._set(db, session.id, now_ms, status=TIMED_OUT, reason="issuer_timeout")
        return session

    def create(self, new: NewSession, ttl_ms: int, now_ms: int) -> tuple[Session, bool]:
        """(the session, whether it is new). The same reference with the same terms answers the session it
        made (a merchant's retry); with other terms it is refused."""
        with self._tx() as db:
            found = self._row(db, "reference", new.reference)
            if found is not None:
                same = (found.amount_minor, found.currency, found.return_url) == (
                    new.amount_minor, new.currency, new.return_url)
                if not same:
                    raise Refused("reference_reused", f"reference {new.reference!r} names another session's terms")
                return self._current(db, found, now_ms), False
            (total,) = db.execute("SELECT count(*) FROM sessions").fetchone()
            if total >= self._config.sessions_max:
                raise Refused("sessions_full", f"the simulator holds at most {self._config.sessions_max} sessions")
            (waiting,) = db.execute("SELECT count(*) FROM sessions WHERE status IN (?, ?) AND expires_at_ms > ?",
                                    (OPEN, PENDING, now_ms)).fetchone()
            if waiting >= self._config.open_sessions_max:
                raise Refused("too_many_open_sessions", f"{waiting} sessions are open: try again later")
            session_id = f"cs_{secrets.token_hex(16)}"
            db.execute(f"INSERT INTO sessions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL, ?, ?, "
                       "NULL, NULL, NULL)", (session_id, new.reference, new.amount_minor, new.currency, new.return_url,
                                       OPEN, now_ms, now_ms + ttl_ms))
            created = self._row(db, "id", session_id)
        if created is None:
            raise RuntimeError("a session just written is missing")
        return created, True

    def get(self, session_id: str, now_ms: int) -> Session | None:
        with self._tx() as db:
            found = self._row(db, "id", session_id)
            return None if found is None else self._current(db, found, now_ms)

    def by_payment(self, payment_id: str, now_ms: int) -> Session | None:
        with self._tx() as db:
            found = self._row(db, "payment_id", payment_id)
            return None if found is None else self._current(db, found, now_ms)

    def attempt(self, session_id: str, decision: CardDecision, now_ms: int, timeout_ms: int) -> tuple[Session, bool]:
        """Record the card payment of an open session: (the session, whether this call decided it). A pending
        payment times out ``timeout_ms`` later."""
        with self._tx() as db:
            found = self._row(db, "id", session_id)
            if found is None:
                raise Refused("no_such_session", f"no session {session_id}")
            session = self._current(db, found, now_ms)
            if session.status != OPEN:
                return session, False
            status = {"authorized": AUTHORIZED, "declined": DECLINED, "pending": PENDING}[decision.outcome]
            db.execute("UPDATE sessions SET status = ?, reason = ?, payment_id = ?, card_brand = ?, card_last4 = ?, "
                       "attempted_at_ms = ?, timeout_at_ms = ?, decided_at_ms = ? WHERE id = ?",
                       (status, decision.reason, f"cp_{secrets.token_hex(12)}", decision.brand, decision.last4,
                        now_ms, now_ms + timeout_ms, None if status == PENDING else now_ms, session_id))
            decided = self._row(db, "id", session_id)
        if decided is None:
            raise RuntimeError("a session just written is missing")
        return decided, True

    def refund(self, payment_id: str, now_ms: int) -> tuple[Session, bool]:
        """Refund an authorized payment in full: (the session, whether this call refunded it)."""
        with self._tx() as db:
            found = self._row(db, "payment_id", payment_id)
            if found is None:
                raise Refused("no_such_payment", f"no payment {payment_id}")
            if found.status == REFUNDED:
                return found, False
            if found.status != AUTHORIZED:
                raise Refused("not_refundable", f"payment {payment_id} is {found.status}, not authorized")
            return self._set(db, found.id, now_ms, status=REFUNDED, reason="refunded"), True

    def pending(self) -> list[Session]:
        """Payments still waiting for their card issuer (to time them out after a restart)."""
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM sessions WHERE status = ? LIMIT ?",
                                    (PENDING, PENDING_LIST_MAX)).fetchall()
        return [_session(row) for row in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT status, count(*) FROM sessions GROUP BY status").fetchall()
        return {status: count for status, count in rows}
