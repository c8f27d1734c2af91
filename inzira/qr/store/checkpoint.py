"""Checkpointing ``qr.db``'s write-ahead log from a thread of its own.

SQLite copies the log back into the database file every thousand pages, by default inside whichever commit
crosses that mark: a payment then waits for a checkpoint. Here the writer never checkpoints; this thread
does, every second, without blocking the writer or the readers (a passive checkpoint copies what no reader
still needs and leaves the rest for the next round).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from inzira.qr.store.schema import connect

INTERVAL_S = 1.0
STOP_TIMEOUT_S = 10.0
log = logging.getLogger(__name__)


class Checkpointer:
    def __init__(self, path: str, interval_s: float = INTERVAL_S) -> None:
        self.path = path
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="qr-store-checkpoint", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join(STOP_TIMEOUT_S)

    def _run(self) -> None:
        conn = connect(self.path)
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as exc:  # busy or full: the log just grows until the next round
                    log.warning("qr.db checkpoint failed: %s", exc)
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()
