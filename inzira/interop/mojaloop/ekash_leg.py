"""The eKash leg of a remittance paid out through eKash, as the transfer page and its receipt show it: the
eKash transfer id, the payee FSP, the quote's amounts and fee, and when the leg was quoted, reserved (the eKash
transfer sent: the hub reserves it against the gateway's position) and committed or aborted.

The times sit in the route's own SQLite file, in a table of their own (one row per quote and state, first time
kept), written by the route at each step and read by the pages.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

QUOTED, RESERVED, COMMITTED, ABORTED = "QUOTED", "RESERVED", "COMMITTED", "ABORTED"
LEG_STATES = (QUOTED, RESERVED, COMMITTED, ABORTED)


@dataclass(frozen=True, slots=True)
class EkashLeg:
    transfer_id: str  # the eKash transfer id (the quote's transactionId)
    payee_fsp: str
    currency: str
    transfer_amount_minor: int  # what the gateway's eKash position pays
    payee_receive_amount_minor: int  # what reaches the wallet
    payee_fee_minor: int  # the eKash payee FSP's fee
    state: str  # QUOTED, RESERVED, COMMITTED or ABORTED
    reason: str  # why it aborted ("MOJALOOP_5105", "TOO_LATE"...)
    steps: tuple[tuple[str, int], ...]  # (state, at_ms), in time order


class LegSteps:
    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self.db = db
        self.lock = lock
        with lock:
            self.db.execute("CREATE TABLE IF NOT EXISTS ekash_steps (quote_id TEXT NOT NULL, state TEXT NOT NULL,"
                            " at_ms INTEGER NOT NULL, PRIMARY KEY (quote_id, state))")

    def mark(self, quote_id: str, state: str, at_ms: int) -> None:
        with self.lock:
            self.db.execute("INSERT OR IGNORE INTO ekash_steps VALUES (?, ?, ?)", (quote_id, state, at_ms))

    def of(self, quote_id: str) -> tuple[tuple[str, int], ...]:
        with self.lock:
            rows = self.db.execute("SELECT state, at_ms FROM ekash_steps WHERE quote_id = ? ORDER BY at_ms, rowid"
                                   " LIMIT ?", (quote_id, len(LEG_STATES))).fetchall()
        return tuple((str(state), int(at_ms)) for state, at_ms in rows)
