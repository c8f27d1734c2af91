"""The one writer of ``qr.db``: jobs from many requests share one synced SQLite transaction (group commit).

A synced commit costs milliseconds; at hundreds of payments a second, one commit per change would queue
behind the disk. The writer thread takes every job waiting (up to a batch), runs them in one transaction,
commits once, then answers each job's future and runs what the jobs asked to run after the commit
(publishing events, sending webhooks), so nothing is announced that is not durable.

A job is a function of a ``WriteTx``; it returns its result (expected refusals are results too). An
exception in a job is a bug: the batch is rolled back and run again one job per transaction, so only the
failing job's future carries the exception. A job may therefore run twice: it changes the store only
through ``tx``, and what it registers with ``after_commit`` runs only for the run that committed. (No
savepoint per job: every SQLite statement hands the interpreter lock to other threads and back, and on the
payment path that hand-over, not SQLite, is what a statement costs.)
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from inzira.qr.store.schema import connect, create

T = TypeVar("T")
STOP_TIMEOUT_S = 30.0
log = logging.getLogger(__name__)


class WriterBusy(RuntimeError):
    """Too many jobs waiting: the caller should answer "busy, retry later"."""


class WriterStopped(RuntimeError):
    """The writer is not running (stopped, or stopped by a failed commit)."""


class WriteTx:
    """What a job sees: the connection (inside its savepoint) and a hook for after the commit."""

    __slots__ = ("conn", "_after")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._after: list[Callable[[], None]] = []

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def after_commit(self, action: Callable[[], None]) -> None:
        self._after.append(action)


_Item = tuple[Callable[[WriteTx], Any], "Future[Any]"]
_Done = tuple[Any, "Exception | None", list[Callable[[], None]]]  # result, error, after-commit actions


class StoreWriter:
    def __init__(self, path: str, queue_jobs_max: int, batch_jobs_max: int) -> None:
        self.path = path
        self.batch_jobs_max = batch_jobs_max
        self.queue_jobs_max = queue_jobs_max
        # Unbounded underneath: new work is admitted only below the limit (``submit``), but the verdict of
        # work already admitted is always written (``settle``): at most one per admitted job.
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._conn = connect(path)
        create(self._conn)
        self._conn.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's job, off the payment path
        self._thread = threading.Thread(target=self._run, name="qr-store-writer", daemon=True)
        self._running = False
        self.failed: str | None = None
        self.commits = 0
        self.jobs = 0

    def start(self) -> None:
        self._running = True
        self._thread.start()

    def stop(self) -> None:
        """Commit what was already queued, then stop."""
        if self._running:
            self._running = False
            self._queue.put(None)
            self._thread.join(STOP_TIMEOUT_S)
        self._conn.close()

    def submit(self, job: Callable[[WriteTx], T]) -> "Future[T]":
        """Queue new work; never blocks (WriterBusy when too much is waiting)."""
        if self._queue.qsize() >= self.queue_jobs_max:
            raise WriterBusy("too many changes waiting to be written")
        return self.settle(job)

    def settle(self, job: Callable[[WriteTx], T]) -> "Future[T]":
        """Queue the outcome of admitted work (a ledger verdict); never blocks, never refused for load."""
        if not self._running or self.failed:
            raise WriterStopped(self.failed or "the store writer is not running")
        future: Future[T] = Future()
        self._queue.put((job, future))
        return future

    def _take(self) -> tuple[list[_Item], bool]:
        """The next batch, and whether the stop marker was seen."""
        first = self._queue.get()
        if first is None:
            return [], True
        batch = [first]
        while len(batch) < self.batch_jobs_max:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _run(self) -> None:
        while True:
            batch, stopping = self._take()
            if batch:
                self._commit(batch)
            if stopping or self.failed:
                return

    def _commit(self, batch: list[_Item]) -> None:
        conn = self._conn
        try:
            done = self._together(batch)
            if done is None:  # a job failed: the others must not lose their changes for it
                done = [self._alone(item) for item in batch]
        except sqlite3.Error as exc:
            self.failed = f"qr.db commit failed: {exc}"
            log.error(self.failed)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for _, future in batch:
                if future.set_running_or_notify_cancel():
                    future.set_exception(WriterStopped(self.failed))
            return
        self.jobs += len(batch)
        for (_, future), (result, error, _after) in zip(batch, done):
            if future.set_running_or_notify_cancel():
                if error is None:
                    future.set_result(result)
                else:
                    future.set_exception(error)
        for _result, _error, after in done:
            for action in after:
                try:
                    action()
                except Exception:  # announcing is best effort; the facts are durable already
                    log.exception("qr after-commit action failed")

    def _together(self, batch: list[_Item]) -> list[_Done] | None:
        """Every job in one transaction; None (rolled back) if one of them raised."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        done: list[_Done] = []
        for job, _ in batch:
            tx = WriteTx(conn)
            try:
                done.append((job(tx), None, tx._after))
            except Exception:
                conn.execute("ROLLBACK")
                return None
        conn.execute("COMMIT")
        self.commits += 1
        return done

    def _alone(self, item: _Item) -> _Done:
        conn = self._conn
        job, _ = item
        tx = WriteTx(conn)
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = job(tx)
        except Exception as exc:
            log.exception("qr store job failed")
            conn.execute("ROLLBACK")
            return None, exc, []
        conn.execute("COMMIT")
        self.commits += 1
        return result, None, tx._after
