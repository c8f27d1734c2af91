"""The directory operator's own records (directory.db in its folder): the audit log of look-ups and of
registration requests, the answers to signed requests (so a repeated request id gets the same answer), and
disputes.

Phone numbers are personal data: they live here, in the operator's database, never on chain. One connection
shared by the API's loop and readers, behind a lock, in WAL mode. Decisions (answers to requests, disputes)
commit with synchronous=FULL: they survive a power cut. Audit rows commit with synchronous=NORMAL, which a
process crash does not lose but a power cut may (the rows since the last full commit): a look-up moves
nothing, and syncing the disk on each one would cost milliseconds per look-up. Registration rows commit with
synchronous=FULL, as the decisions they record do. Each log keeps its newest ``audit_rows_max`` rows.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

DB_FILE = "directory.db"
BUSY_TIMEOUT_MS = 5_000
PRUNE_EVERY_ROWS = 1_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, member TEXT NOT NULL, msisdn TEXT NOT NULL,
  fsp TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_member ON audit (member, id);
CREATE INDEX IF NOT EXISTS audit_by_msisdn ON audit (msisdn, id);
CREATE TABLE IF NOT EXISTS registrations (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, member TEXT NOT NULL, party BLOB NOT NULL,
  masked TEXT NOT NULL, active INTEGER NOT NULL, request_id TEXT NOT NULL, status INTEGER NOT NULL,
  code INTEGER NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS registrations_by_member ON registrations (member, id);
CREATE INDEX IF NOT EXISTS registrations_by_party ON registrations (party, id);
CREATE TABLE IF NOT EXISTS requests (
  member TEXT NOT NULL, request_id TEXT NOT NULL, digest BLOB NOT NULL, at_ms INTEGER NOT NULL,
  status INTEGER NOT NULL, answer BLOB NOT NULL, PRIMARY KEY (member, request_id));
CREATE INDEX IF NOT EXISTS requests_by_time ON requests (at_ms);
CREATE TABLE IF NOT EXISTS disputes (
  dispute_id TEXT PRIMARY KEY, party BLOB NOT NULL, msisdn TEXT NOT NULL, claimant TEXT NOT NULL,
  holder TEXT NOT NULL, holder_confirms INTEGER, request_id TEXT NOT NULL, created_at_ms INTEGER NOT NULL,
  state TEXT NOT NULL, resolved_by TEXT NOT NULL DEFAULT '', resolved_at_ms INTEGER NOT NULL DEFAULT 0,
  tx_id TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS disputes_by_state ON disputes (state, created_at_ms);
CREATE UNIQUE INDEX IF NOT EXISTS disputes_open ON disputes (party, claimant) WHERE state = 'OPEN';
"""

OPEN, KEPT, MOVED = "OPEN", "KEPT", "MOVED"


@dataclasses.dataclass(frozen=True, slots=True)
class RegistrationRow:
    """A registration request the operator judged: who asked, for which number, and what it answered."""

    at_ms: int
    member: str
    party: bytes  # the number's keyed hash, as SetParty names it on chain (empty: not a valid number)
    masked: str  # the number as people may see it in the log, e.g. +25078*****456
    active: bool
    request_id: str
    status: int  # the HTTP status answered
    code: int  # the refusal's code; 0 when it was done
    outcome: str  # LISTED, UNLISTED, DISPUTED or REFUSED


@dataclasses.dataclass(frozen=True, slots=True)
class Dispute:
    dispute_id: str
    party: bytes
    msisdn: str
    claimant: str  # the FSP that asked to list the number
    holder: str  # the FSP listed for it when the claim came
    holder_confirms: bool | None  # what the holder's account-holder API said of the wallet (None: no answer)
    request_id: str
    created_at_ms: int
    state: str
    resolved_by: str = ""
    resolved_at_ms: int = 0
    tx_id: str = ""
    seq: int = 0  # the order disputes came in: the cursor of their pages

    def json(self) -> dict[str, Any]:
        return {"dispute_id": self.dispute_id, "msisdn": self.msisdn, "claimant": self.claimant,
                "holder": self.holder, "holder_confirms": self.holder_confirms, "request_id": self.request_id,
                "created_at_ms": self.created_at_ms, "state": self.state, "resolved_by": self.resolved_by,
                "resolved_at_ms": self.resolved_at_ms, "tx_id": self.tx_id}


_DISPUTE_COLUMNS = ("dispute_id, party, msisdn, claimant, holder, holder_confirms, request_id, created_at_ms, state, "
                    "resolved_by, resolved_at_ms, tx_id")
_DISPUTE_READ = _DISPUTE_COLUMNS + ", rowid"


def _dispute(row: tuple[Any, ...]) -> Dispute:
    confirms = None if row[5] is None else bool(row[5])
    return Dispute(row[0], row[1], row[2], row[3], row[4], confirms, *row[6:])


class DirectoryStore:
    def __init__(self, path: Path, audit_rows_max: int) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._audit_rows_max = audit_rows_max
        self._since_prune: dict[str, int] = {}  # rows added to each log since it was last pruned
        with self._lock:
            for pragma in ("journal_mode = WAL", "synchronous = NORMAL", f"busy_timeout = {BUSY_TIMEOUT_MS}"):
                self._conn.execute(f"PRAGMA {pragma}")
            self._conn.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _durable(self) -> Iterator[None]:
        """Writes inside are synced to disk when they commit (the lock is held)."""
        self._conn.execute("PRAGMA synchronous = FULL")
        try:
            yield
        finally:
            self._conn.execute("PRAGMA synchronous = NORMAL")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- audit log ---

    def audit(self, at_ms: int, member: str, msisdn: str, fsp: str) -> None:
        with self._lock:
            self._conn.execute("INSERT INTO audit (at_ms, member, msisdn, fsp) VALUES (?, ?, ?, ?)",
                               (at_ms, member, msisdn, fsp))
            self._counted("audit")

    def audit_page(self, limit: int, before_id: int | None = None, member: str | None = None,
                   msisdn: str | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        rows = self._page("audit", "id, at_ms, member, msisdn, fsp", limit, before_id,
                          {"member": member, "msisdn": msisdn})
        return [{"id": r[0], "at_ms": r[1], "member": r[2], "msisdn": r[3], "fsp_id": r[4] or None} for r in rows]

    def audit_registration(self, row: RegistrationRow) -> None:
        with self._lock, self._durable():
            self._conn.execute("INSERT INTO registrations (at_ms, member, party, masked, active, request_id, status, "
                               "code, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                               (row.at_ms, row.member, row.party, row.masked, int(row.active), row.request_id,
                                row.status, row.code, row.outcome))
            self._counted("registrations")

    def registrations_page(self, limit: int, before_id: int | None = None, member: str | None = None,
                           party: bytes | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        rows = self._page("registrations", "id, at_ms, member, party, masked, active, request_id, status, code, "
                          "outcome", limit, before_id, {"member": member, "party": party})
        return [{"id": r[0], "at_ms": r[1], "member": r[2], "party": r[3].hex(), "msisdn": r[4], "active": bool(r[5]),
                 "request_id": r[6], "status": r[7], "code": r[8] or None, "outcome": r[9]} for r in rows]

    def _page(self, table: str, columns: str, limit: int, before_id: int | None,
              equal: dict[str, object | None]) -> list[tuple[Any, ...]]:
        """A log's rows before ``before_id``, newest first, whose columns equal the values of ``equal`` not None."""
        where, args = ["id < ?"], [before_id if before_id is not None else 2**63 - 1]
        for column, value in equal.items():
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        sql = f"SELECT {columns} FROM {table} WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?"
        with self._lock:
            return self._conn.execute(sql, (*args, limit)).fetchall()

    def _counted(self, table: str) -> None:
        """A row was added to a log (the lock is held): every ``PRUNE_EVERY_ROWS`` rows, keep the newest
        ``audit_rows_max``."""
        self._since_prune[table] = self._since_prune.get(table, 0) + 1
        if self._since_prune[table] >= PRUNE_EVERY_ROWS:
            self._since_prune[table] = 0
            self._conn.execute(f"DELETE FROM {table} WHERE id <= (SELECT MAX(id) FROM {table}) - ?",
                               (self._audit_rows_max,))

    # --- answers to signed requests ---

    def answer(self, member: str, request_id: str) -> tuple[bytes, int, dict[str, Any]] | None:
        """(request digest, status, answer) given to this request id before, or None."""
        with self._lock:
            row = self._conn.execute("SELECT digest, status, answer FROM requests WHERE member = ? AND request_id = ?",
                                     (member, request_id)).fetchone()
        return None if row is None else (row[0], row[1], msgspec.json.decode(row[2]))

    def keep_answer(self, member: str, request_id: str, digest: bytes, at_ms: int, status: int,
                    answer: dict[str, Any], kept_after_ms: int) -> None:
        """Remember the answer; forget those of requests signed before ``kept_after_ms`` (they are refused as
        expired now, whatever their id)."""
        with self._lock, self._durable():
            self._conn.execute("DELETE FROM requests WHERE at_ms < ?", (kept_after_ms,))
            self._conn.execute("INSERT OR REPLACE INTO requests VALUES (?, ?, ?, ?, ?, ?)",
                               (member, request_id, digest, at_ms, status, msgspec.json.encode(answer)))

    # --- disputes ---

    def open_dispute(self, dispute: Dispute) -> Dispute:
        """The open dispute of this claimant over this party: the one given, or the one already open."""
        with self._lock, self._durable():
            row = self._conn.execute(f"SELECT {_DISPUTE_READ} FROM disputes WHERE party = ? AND claimant = ? "
                                     "AND state = ?", (dispute.party, dispute.claimant, OPEN)).fetchone()
            if row is not None:
                return _dispute(row)
            confirms = None if dispute.holder_confirms is None else int(dispute.holder_confirms)
            cursor = self._conn.execute(
                f"INSERT INTO disputes ({_DISPUTE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (dispute.dispute_id, dispute.party, dispute.msisdn, dispute.claimant, dispute.holder, confirms,
                 dispute.request_id, dispute.created_at_ms, OPEN, "", 0, ""))
        return dataclasses.replace(dispute, state=OPEN, seq=cursor.lastrowid or 0)

    def open_disputes_of(self, claimant: str) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM disputes WHERE claimant = ? AND state = ?",
                                      (claimant, OPEN)).fetchone()[0]

    def dispute(self, dispute_id: str) -> Dispute | None:
        with self._lock:
            row = self._conn.execute(f"SELECT {_DISPUTE_READ} FROM disputes WHERE dispute_id = ?",
                                     (dispute_id,)).fetchone()
        return None if row is None else _dispute(row)

    def disputes(self, state: str | None, limit: int, before_seq: int | None = None) -> list[Dispute]:
        """Newest first."""
        where, args = ["rowid < ?"], [before_seq if before_seq is not None else 2**63 - 1]
        if state is not None:
            where.append("state = ?")
            args.append(state)
        sql = f"SELECT {_DISPUTE_READ} FROM disputes WHERE {' AND '.join(where)} ORDER BY rowid DESC LIMIT ?"
        with self._lock:
            return [_dispute(r) for r in self._conn.execute(sql, (*args, limit)).fetchall()]

    def resolve(self, dispute_id: str, state: str, by: str, at_ms: int, tx_id: str) -> None:
        with self._lock, self._durable():
            self._conn.execute("UPDATE disputes SET state = ?, resolved_by = ?, resolved_at_ms = ?, tx_id = ? "
                               "WHERE dispute_id = ? AND state = ?", (state, by, at_ms, tx_id, dispute_id, OPEN))
