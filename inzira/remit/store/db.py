"""The SQLite file behind the service: one connection shared by the API thread and the service's loop.

Group commit: each unit of work (``tx()``) is a savepoint inside one open transaction, which a flusher
thread commits every ``flush_ms`` (or after ``units_max`` units). Committing is what costs (writing the WAL),
so many units share one commit; reads go through the same connection and see every unit at once. Units
are committed in order, all of a unit or none of it. What must be on disk before the service acts on it
(a transfer's signed transaction, before it is submitted) is awaited with ``durable()``, so a restart
resubmits the very same bytes rather than making a second transfer. Anything later is rebuilt from the
chain by reconciliation if a crash loses it.

Durability as with synchronous=FULL, without stalling the service: each group is committed (written to the
WAL) under the connection's lock, then the flusher fsyncs the WAL file with the lock released, and only
then are ``durable()`` waiters told. The service's loop reads and writes through the same connection, so
holding the lock across the fsync (what FULL does inside COMMIT) stopped it for the disk's whole flush,
every group.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from inzira import sqlite_db
from inzira.durable_files import sync_folder
from inzira.remit.store.flagged import add_reason_column

DB_FILE = "remit.db"
FLUSH_MS = 5
UNITS_MAX = 1_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS quotes (
  quote_id TEXT PRIMARY KEY, sending_fsp TEXT NOT NULL, receiving_fsp TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL, used_by TEXT, terms BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS quotes_by_expiry ON quotes (expires_at_ms);
CREATE TABLE IF NOT EXISTS payee_quotes (
  quote_id TEXT PRIMARY KEY, sending_fsp TEXT NOT NULL, expires_at_ms INTEGER NOT NULL, request_hash BLOB NOT NULL,
  terms BLOB NOT NULL, agreed_height INTEGER NOT NULL, pending_id BLOB, open INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS payee_quotes_by_expiry ON payee_quotes (expires_at_ms);
CREATE INDEX IF NOT EXISTS payee_quotes_open ON payee_quotes (expires_at_ms) WHERE open = 1;
CREATE TABLE IF NOT EXISTS transfers (
  transfer_id TEXT PRIMARY KEY, sending_fsp TEXT NOT NULL, receiving_fsp TEXT NOT NULL, sender_id TEXT NOT NULL,
  state TEXT NOT NULL, code INTEGER NOT NULL, source_currency TEXT NOT NULL, amount_sent_minor INTEGER NOT NULL,
  amount_received_minor INTEGER NOT NULL, created_at_ms INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL,
  reserve_tx_id BLOB, reserve_tx BLOB, flagged INTEGER NOT NULL DEFAULT 0, record BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS transfers_by_sender ON transfers (sending_fsp, sender_id, created_at_ms);
CREATE INDEX IF NOT EXISTS transfers_by_sending ON transfers (sending_fsp, created_at_ms);
CREATE INDEX IF NOT EXISTS transfers_by_receiving ON transfers (receiving_fsp, created_at_ms);
CREATE INDEX IF NOT EXISTS transfers_by_state ON transfers (state, updated_at_ms);
CREATE INDEX IF NOT EXISTS transfers_by_created ON transfers (created_at_ms);
CREATE UNIQUE INDEX IF NOT EXISTS transfers_by_reserve ON transfers (reserve_tx_id);
CREATE TABLE IF NOT EXISTS timeline (
  transfer_id TEXT NOT NULL, seq INTEGER NOT NULL, step BLOB NOT NULL, PRIMARY KEY (transfer_id, seq));
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT, transfer_id TEXT NOT NULL, sending_fsp TEXT NOT NULL,
  at_ms INTEGER NOT NULL, outcome TEXT NOT NULL, record BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_by_transfer ON decisions (transfer_id, id);
CREATE INDEX IF NOT EXISTS decisions_by_member ON decisions (sending_fsp, id);
CREATE TABLE IF NOT EXISTS payouts (
  pending_id BLOB PRIMARY KEY, fsp TEXT NOT NULL, status TEXT NOT NULL, updated_at_ms INTEGER NOT NULL,
  record BLOB NOT NULL, reason TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS payouts_by_status ON payouts (status, updated_at_ms);
CREATE TABLE IF NOT EXISTS payout_quotes (quote_id TEXT PRIMARY KEY, pending_id BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS webhooks (
  id TEXT PRIMARY KEY, member TEXT NOT NULL, url TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS webhooks_by_member ON webhooks (member);
CREATE TABLE IF NOT EXISTS thresholds (
  account TEXT PRIMARY KEY, member TEXT NOT NULL, threshold_minor INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS thresholds_by_member ON thresholds (member);
CREATE TABLE IF NOT EXISTS alerts (
  id INTEGER PRIMARY KEY AUTOINCREMENT, member TEXT NOT NULL, at_ms INTEGER NOT NULL, record BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS alerts_by_member ON alerts (member, id);
"""


class Db:
    def __init__(self, path: Path, flush_ms: int = FLUSH_MS, units_max: int = UNITS_MAX) -> None:
        self.path = path
        self.flush_s = flush_ms / 1000
        self.units_max = units_max
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        # The payout book records money owed: each group commit is on disk before its waiters are told.
        self._conn = sqlite_db.connect(str(path))
        self._conn.executescript(_SCHEMA)
        add_reason_column(self._conn)  # a book from before the column: filled in from its records
        # The flusher syncs the WAL itself, outside the lock (see above); checkpoints still sync as NORMAL does.
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._wal_fd = os.open(f"{path}-wal", os.O_RDONLY | os.O_CREAT, 0o600)  # SQLite made it on opening
        sync_folder(path.parent)
        self._open = False  # a group transaction is open
        self._units = 0
        self._committed = 0  # groups committed to the WAL so far
        self._generation = 0  # groups on disk (the WAL synced after them) so far
        self._waiters: list[tuple[int, asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._closed = False
        self._flusher = threading.Thread(target=self._flush_loop, name="remit-db-flush", daemon=True)
        self._flusher.start()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: all of it or none of it, committed with the next group."""
        with self._lock:
            self._begin()
            self._conn.execute("SAVEPOINT unit")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK TO unit")
                self._conn.execute("RELEASE unit")
                raise
            self._conn.execute("RELEASE unit")
            self._unit_done()

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        """A unit of one statement (rows changed): SQLite undoes a failed statement by itself, so it needs no
        savepoint of its own, which ``tx()`` pays two more statements for."""
        with self._lock:
            self._begin()
            changed = self._conn.execute(sql, params).rowcount
            self._unit_done()
            return changed

    def _begin(self) -> None:
        """With the lock held: a unit joins the open group, or opens one (and wakes the flusher)."""
        if self._closed:
            raise sqlite3.ProgrammingError("remit.db is closed")
        if not self._open:
            self._conn.execute("BEGIN IMMEDIATE")
            self._open = True
            self._changed.notify()

    def _unit_done(self) -> None:
        """With the lock held: a full group goes to the WAL."""
        self._units += 1
        if self._units >= self.units_max:
            self._commit()

    def _commit(self) -> None:
        """With the lock held: the open group goes to the WAL; the flusher syncs it."""
        if self._open:
            self._conn.execute("COMMIT")
            self._open, self._units = False, 0
            self._committed += 1
            self._changed.notify()

    def _synced(self, generation: int) -> None:
        """With the lock held: every group up to ``generation`` is on disk; tell who waits for them."""
        self._generation = generation
        due = [w for w in self._waiters if w[0] <= generation]
        self._waiters = [w for w in self._waiters if w[0] > generation]
        for _, loop, future in due:
            try:
                loop.call_soon_threadsafe(_settle, future)
            except RuntimeError:  # that loop has closed: nobody waits
                pass

    def _flush_loop(self) -> None:
        with self._lock:
            while not self._closed:
                if self._open:
                    self._changed.wait(self.flush_s)  # let more units join this commit
                    self._commit()
                if self._generation < self._committed:
                    target = self._committed
                    self._lock.release()  # the loop keeps reading and writing while the disk flushes
                    try:
                        os.fsync(self._wal_fd)
                    finally:
                        self._lock.acquire()
                    self._synced(target)
                elif not self._open and not self._closed:
                    self._changed.wait()

    async def durable(self) -> None:
        """Return once every unit done so far is committed and on disk."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._lock:
            target = self._committed + (1 if self._open else 0)
            if self._generation >= target:
                return
            self._waiters.append((target, loop, future))
        await future

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def close(self) -> None:
        """Commit what is pending and sync it, stop the flusher, close the file."""
        with self._lock:
            self._commit()
            self._closed = True
            self._changed.notify_all()
        self._flusher.join()
        with self._lock:
            os.fsync(self._wal_fd)
            self._synced(self._committed)
            self._conn.close()
            os.close(self._wal_fd)


def _settle(future: "asyncio.Future[None]") -> None:
    if not future.done():
        future.set_result(None)
