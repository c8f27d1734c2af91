"""What ``qr.db`` keeps only for a while, deleted as the service runs: events older than ``events_retention_ms``
(streams replay from them) and bills expired unpaid more than ``bills_expired_kept_days`` ago.

An expired unpaid bill moved no money, so nothing of it is a record: the daily cap (``bill_limits``) bounds how
many a merchant adds, but without this they would stay for good. Paid bills stay (their payments name them), and
so do bills being paid (a payment on its way holds them: it reopens or pays them, and a later pass decides).

One pass as the service starts (what expired while it was stopped), then one every ``upkeep_interval_ms`` on a
thread of its own. Each pass deletes in store jobs of at most ``upkeep_batch_rows`` rows, so payments queued
meanwhile are written between them, and at most ``BATCHES_PER_PASS_MAX`` jobs per table.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass

from inzira.qr.bill_book import BillBook
from inzira.qr.live.events import prune_job
from inzira.qr.records import OPEN
from inzira.qr.settings import DAY_MS, QrSettings
from inzira.qr.store.writer import StoreWriter, WriterBusy, WriterStopped, WriteTx

BATCHES_PER_PASS_MAX = 100
JOB_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
log = logging.getLogger(__name__)

# Oldest expiry first, through the index bills_open_by_expiry: a job reads only the rows it deletes.
_FORGET_BILLS = ("DELETE FROM bills WHERE id IN (SELECT id FROM bills WHERE status = ? AND expires_at_ms < ? "
                 "ORDER BY expires_at_ms LIMIT ?) RETURNING id")


@dataclass(frozen=True, slots=True)
class Swept:
    events: int
    bills: int


class Upkeep:
    def __init__(self, settings: QrSettings, writer: StoreWriter, bills: BillBook, clock_ms: Callable[[], int],
                 batches_max: int = BATCHES_PER_PASS_MAX) -> None:
        self.settings = settings
        self.writer = writer
        self.bills = bills
        self.clock_ms = clock_ms
        self.batches_max = batches_max
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="qr-store-upkeep", daemon=True)

    def start(self) -> None:
        self.run_pass()
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join(STOP_TIMEOUT_S)

    def run_pass(self) -> Swept:
        """Delete what is past its keeping now; the rows deleted of each table."""
        s = self.settings
        now_ms = self.clock_ms()
        events = self._drain(lambda: prune_job(now_ms - s.events_retention_ms, s.upkeep_batch_rows))
        bills = self._drain(lambda: self._forget_bills(now_ms - s.bills_expired_kept_days * DAY_MS))
        return Swept(events, bills)

    def _drain(self, job: Callable[[], Callable[[WriteTx], int]]) -> int:
        deleted = 0
        for _ in range(self.batches_max):
            count = self.writer.submit(job()).result(JOB_TIMEOUT_S)
            deleted += count
            if count < self.settings.upkeep_batch_rows:
                break
        return deleted

    def _forget_bills(self, expired_before_ms: int) -> Callable[[WriteTx], int]:
        def job(tx: WriteTx) -> int:
            ids = [row[0] for row in tx.execute(_FORGET_BILLS, (OPEN, expired_before_ms,
                                                                self.settings.upkeep_batch_rows)).fetchall()]
            tx.after_commit(lambda: self.bills.forgotten(ids))
            return len(ids)

        return job

    def _run(self) -> None:
        while not self._stop.wait(self.settings.upkeep_interval_ms / 1000):
            try:
                self.run_pass()
            except (WriterBusy, WriterStopped, TimeoutError, sqlite3.Error) as exc:  # the next pass tries again
                log.warning("qr.db upkeep pass not done: %s", exc)
