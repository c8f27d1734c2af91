"""The issuer's book of funding requests (``funding.db``): who asked for what, against which settlement
reference, which officers approved, and what the ledger answered.

A settlement reference funds at most once per issuer and kind, under any spelling: ASCII letter case and spaces
aside (an officer checking "abc 1" against the bank's "ABC1" sees one payment). Filing does not decide whose it
is: several holders may each have a request pending with one reference (one each: a holder filing it again
gets its own request back), so a member that learns another's reference and files it first blocks no one; the
officers see such a request as contested (by the others still pending: a request past its ``expires_at_ms``
can no longer be approved, is shown as expired, and contests nothing). Approval decides: the claim that has the
issuer sign takes the reference for its request and rejects the other pending ones in the same transaction, and
a reference taken (approving or approved) is never claimed again nor filed by another holder. A failed request
took nothing: the desk records ``failed`` only once the ledger's refusal is final (those signed bytes can never
be committed), so nothing was issued and the reference is free to fund again. A holder's own expired or failed
request does not stand in the way of its filing the reference again either.
SQLite in WAL mode with synchronous=FULL: an approval, once answered, is on disk.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DB_FILE = "funding.db"
BUSY_TIMEOUT_MS = 5_000
# pending -> approving (claimed by the approval that signs; its transaction stored) -> approved | failed
# (the ledger refused it for good); pending -> rejected.
PENDING, APPROVING, APPROVED, REJECTED, FAILED = "pending", "approving", "approved", "rejected", "failed"
EXPIRED = "expired"  # shown, never stored: a pending request past its expires_at_ms, which no one can approve
STATES = (PENDING, APPROVING, APPROVED, REJECTED, FAILED, EXPIRED)  # as shown and filtered on
TAKEN = (APPROVING, APPROVED)  # the issuer's signed transaction may fund the reference: no other request claims it
TAKEN_NOTE = "another request with this settlement reference was approved"
DEPOSIT, WITHDRAWAL, CAP = "deposit", "withdrawal", "cap"

# What makes two references one payment's: ASCII letter case and spaces aside (references are printable ASCII).
_REFERENCE_KEY = "upper(replace({}, ' ', ''))"


def reference_key(reference: str) -> str:
    """``_REFERENCE_KEY`` in Python: empty for a reference of spaces only, which names no payment."""
    return reference.replace(" ", "").upper()

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS requests (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, issuer TEXT NOT NULL, holder TEXT NOT NULL, account TEXT NOT NULL,
  currency TEXT NOT NULL, amount_minor INTEGER NOT NULL, reference TEXT NOT NULL, state TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER NOT NULL, decided_at_ms INTEGER, note TEXT NOT NULL,
  signed_tx BLOB, tx_id BLOB, code INTEGER, height INTEGER, rejected_by TEXT);
DROP INDEX IF EXISTS requests_by_reference_key;
DROP INDEX IF EXISTS requests_by_reference_holder;
CREATE INDEX IF NOT EXISTS requests_by_reference
  ON requests (issuer, kind, {_REFERENCE_KEY.format("reference")}, holder);
CREATE UNIQUE INDEX IF NOT EXISTS requests_taking_reference
  ON requests (issuer, kind, {_REFERENCE_KEY.format("reference")}) WHERE state IN ('{APPROVING}', '{APPROVED}');
CREATE INDEX IF NOT EXISTS requests_by_state ON requests (state, created_at_ms);
CREATE INDEX IF NOT EXISTS requests_by_issuer ON requests (issuer, created_at_ms, id);
CREATE INDEX IF NOT EXISTS requests_by_holder ON requests (holder, created_at_ms, id);
CREATE TABLE IF NOT EXISTS approvals (
  request_id TEXT NOT NULL, officer TEXT NOT NULL, at_ms INTEGER NOT NULL, PRIMARY KEY (request_id, officer));
"""
_SAME_REFERENCE = (f"issuer = ? AND kind = ? AND {_REFERENCE_KEY.format('reference')} = "
                   f"{_REFERENCE_KEY.format('?')}")
_COLUMNS = ("id, kind, issuer, holder, account, currency, amount_minor, reference, state, created_at_ms, "
            "expires_at_ms, decided_at_ms, note, signed_tx, tx_id, code, height, rejected_by")
# The officer who rejected a request; NULL for the desk's own rejection when another request took the reference
# (that one alone is lifted when the reference is free again). Rejections stored before the column existed were
# officers' (the desk's carried TAKEN_NOTE): their officer is unknown, ''.
_REJECTED_BY_ADDED = ("ALTER TABLE requests ADD COLUMN rejected_by TEXT",
                      f"UPDATE requests SET rejected_by = '' WHERE state = '{REJECTED}' AND note != '{TAKEN_NOTE}'")


def shown_state(request: "FundingRequest", now_ms: int) -> str:
    """The state people see: a pending request past its expiry is expired (its stored state stays pending)."""
    return EXPIRED if request.state == PENDING and now_ms >= request.expires_at_ms else request.state


def _state_filter(state: str, now_ms: int) -> tuple[str, list[object]]:
    """SQL selecting the requests shown in ``state`` at ``now_ms``."""
    if state == PENDING:
        return "state = ? AND expires_at_ms > ?", [PENDING, now_ms]
    if state == EXPIRED:
        return "state = ? AND expires_at_ms <= ?", [PENDING, now_ms]
    return "state = ?", [state]


@dataclass(frozen=True, slots=True)
class FundingRequest:
    id: str
    kind: str
    issuer: str
    holder: str
    account: str
    currency: str
    amount_minor: int
    reference: str
    state: str
    created_at_ms: int
    expires_at_ms: int  # no approval from then on (a withdrawal's signed redemption is refused by the ledger)
    decided_at_ms: int | None
    note: str
    signed_tx: bytes | None  # a withdrawal: the redemption the holder signed
    tx_id: bytes | None
    code: int | None
    height: int | None
    rejected_by: str | None = None  # the officer; None while not rejected, or rejected by the desk (reference taken)


_PLACES = ", ".join("?" * len(FundingRequest.__slots__))


class FundingStore:
    def __init__(self, path: Path) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", f"busy_timeout={BUSY_TIMEOUT_MS}",
                       "foreign_keys=ON"):
            self._conn.execute(f"PRAGMA {pragma}")
        self._conn.executescript(_SCHEMA)
        with self._transaction():
            if "rejected_by" not in {row[1] for row in self._conn.execute("PRAGMA table_info(requests)")}:
                for statement in _REJECTED_BY_ADDED:
                    self._conn.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def add(self, request: FundingRequest, pending_max: int) -> FundingRequest | None:
        """The request stored; or the one its holder already filed under its issuer, kind and reference (unless
        that one expired or failed, or was rejected only because another request took the reference and that
        one's issuance failed: it is filed anew); or, when another holder's request took that reference, that
        one. None when its holder already has ``pending_max`` requests pending at that issuer (unexpired at its
        creation)."""
        same = (request.issuer, request.kind, request.reference)
        with self._lock, self._transaction():  # looked up, counted and stored at once, across processes too
            taken = self._taken(*same)
            # A rejection for the reference being taken stands while it is; an officer's rejection stands always.
            freed = "" if taken is not None else " AND NOT (state = ? AND rejected_by IS NULL)"
            own = self._conn.execute(
                f"SELECT {_COLUMNS} FROM requests WHERE {_SAME_REFERENCE} AND holder = ? AND state != ? "
                f"AND NOT (state = ? AND expires_at_ms <= ?){freed} ORDER BY created_at_ms DESC, id LIMIT 1",
                (*same, request.holder, FAILED, PENDING, request.created_at_ms,
                 *(() if taken is not None else (REJECTED,)))).fetchone()
            if own is not None:
                return FundingRequest(*own)
            if taken is not None:
                return taken
            (pending,) = self._conn.execute(
                "SELECT count(*) FROM requests WHERE state = ? AND issuer = ? AND holder = ? AND expires_at_ms > ?",
                (PENDING, request.issuer, request.holder, request.created_at_ms)).fetchone()
            if pending >= pending_max:
                return None
            self._conn.execute(f"INSERT INTO requests ({_COLUMNS}) VALUES ({_PLACES})",
                               tuple(getattr(request, f) for f in FundingRequest.__slots__))
            return request

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """A write transaction taken at its start (BEGIN IMMEDIATE): another connection to the file waits."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def get(self, request_id: str) -> FundingRequest | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {_COLUMNS} FROM requests WHERE id = ?", (request_id,)).fetchone()
        return FundingRequest(*row) if row else None

    def listing(self, issuers: tuple[str, ...] | None, holder: str | None, state: str | None, limit: int,
                after: tuple[int, str] | None, now_ms: int) -> list[FundingRequest]:
        """Newest first (ties by id), from just after ``after`` (the creation time and id of the last row of the
        previous page); ``issuers`` None is every issuer's, ``holder`` None every holder's; ``state`` as shown
        at ``now_ms`` (``shown_state``)."""
        where, args = ["1 = 1"], []
        if issuers is not None:
            where.append(f"issuer IN ({', '.join('?' * len(issuers))})")
            args += list(issuers)
        if holder is not None:
            where += ["holder = ?"]
            args.append(holder)
        if state is not None:
            clause, values = _state_filter(state, now_ms)
            where.append(clause)
            args += values
        if after is not None:
            where += ["(created_at_ms < ? OR (created_at_ms = ? AND id > ?))"]
            args += [after[0], after[0], after[1]]
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM requests WHERE {' AND '.join(where)} "
                                      "ORDER BY created_at_ms DESC, id LIMIT ?", (*args, limit)).fetchall()
        return [FundingRequest(*row) for row in rows]

    def contested_by(self, request: FundingRequest, limit: int, now_ms: int) -> list[str]:
        """The other requests still pending at ``now_ms`` with this request's reference (other holders'), oldest
        first: an expired one can no longer be approved, so it contests nothing."""
        with self._lock:
            return [i for (i,) in self._conn.execute(
                f"SELECT id FROM requests WHERE {_SAME_REFERENCE} AND state = ? AND expires_at_ms > ? AND id != ? "
                "ORDER BY created_at_ms, id LIMIT ?",
                (request.issuer, request.kind, request.reference, PENDING, now_ms, request.id, limit))]

    def taken_by(self, request: FundingRequest) -> str | None:
        """The other request whose signed transaction may fund this request's reference, if any."""
        with self._lock:
            taken = self._taken(request.issuer, request.kind, request.reference)
        return taken.id if taken is not None and taken.id != request.id else None

    def _taken(self, issuer: str, kind: str, reference: str) -> FundingRequest | None:
        """Under the lock: the request that took this reference (at most one: ``requests_taking_reference``)."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM requests WHERE {_SAME_REFERENCE} AND state IN (?, ?)",
                                 (issuer, kind, reference, *TAKEN)).fetchone()
        return FundingRequest(*row) if row else None

    def approvals(self, request_id: str) -> list[tuple[str, int]]:
        with self._lock:
            return [(o, t) for o, t in self._conn.execute(
                "SELECT officer, at_ms FROM approvals WHERE request_id = ? ORDER BY at_ms, officer", (request_id,))]

    def approve(self, request_id: str, officer: str, at_ms: int) -> int | None:
        """Record an officer's approval of a pending request: the number of distinct approvals now, or None
        when the request is no longer pending."""
        with self._lock, self._transaction():
            state = self._conn.execute("SELECT state FROM requests WHERE id = ?", (request_id,)).fetchone()
            if state is None or state[0] != PENDING:
                return None
            self._conn.execute("INSERT OR IGNORE INTO approvals (request_id, officer, at_ms) VALUES (?, ?, ?)",
                               (request_id, officer, at_ms))
            return int(self._conn.execute("SELECT count(*) FROM approvals WHERE request_id = ?",
                                          (request_id,)).fetchone()[0])

    def claim(self, request_id: str, at_ms: int, note: str, signed_tx: bytes, tx_id: bytes) -> bool:
        """pending -> approving with the transaction that carries it out, stored before it is submitted
        (a restart resubmits those very bytes), and the other requests pending with its reference rejected;
        False when another decision came first, or another request took the reference (this one is then
        rejected)."""
        with self._lock, self._transaction():
            row = self._conn.execute("SELECT issuer, kind, reference, state FROM requests WHERE id = ?",
                                     (request_id,)).fetchone()
            if row is None or row[3] != PENDING:
                return False
            same = (row[0], row[1], row[2])
            # Filing refuses a taken reference and a claim rejects the rest, so this finds nothing; checked here
            # anyway, where funding once is decided, rather than trusted to the other paths.
            taken = self._taken(*same)
            if taken is None:
                self._conn.execute("UPDATE requests SET state = ?, decided_at_ms = ?, note = ?, signed_tx = ?, "
                                   "tx_id = ? WHERE id = ?", (APPROVING, at_ms, note, signed_tx, tx_id, request_id))
            # Every request still pending with the reference (this one too, when another took it) can no longer
            # fund: rejected now, not left for an officer to approve in vain.
            self._conn.execute(f"UPDATE requests SET state = ?, decided_at_ms = ?, note = ? WHERE {_SAME_REFERENCE} "
                               "AND state = ?", (REJECTED, at_ms, TAKEN_NOTE, *same, PENDING))
            return taken is None

    def settle(self, request_id: str, ok: bool, code: int, height: int) -> None:
        """approving -> approved, or failed (only on a final refusal: the reference is then free again), with the
        ledger's verdict."""
        with self._lock:
            self._conn.execute("UPDATE requests SET state = ?, code = ?, height = ? WHERE id = ? AND state = ?",
                               (APPROVED if ok else FAILED, code, height, request_id, APPROVING))

    def reject(self, request_id: str, officer: str, at_ms: int, note: str) -> bool:
        with self._lock:
            cursor = self._conn.execute("UPDATE requests SET state = ?, decided_at_ms = ?, note = ?, rejected_by = ? "
                                        "WHERE id = ? AND state = ?", (REJECTED, at_ms, note, officer, request_id,
                                                                       PENDING))
            return cursor.rowcount == 1

    def in_flight(self, limit: int, after: tuple[int, str] | None = None) -> list[FundingRequest]:
        """Approving requests, oldest first (ties by id), from just after ``after`` (the creation time and id of
        the last one a previous call returned)."""
        since, last = after if after is not None else (-1, "")
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM requests WHERE state = ? AND (created_at_ms > ? OR "
                                      "(created_at_ms = ? AND id > ?)) ORDER BY created_at_ms, id LIMIT ?",
                                      (APPROVING, since, since, last, limit)).fetchall()
        return [FundingRequest(*row) for row in rows]
