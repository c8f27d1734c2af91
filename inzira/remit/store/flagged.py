"""The receiving side's flagged payouts: the ones operations staff must act on, a page at a time, and counted.

A payout is flagged when it has a reason and is final: ``SUCCESSFUL`` with ``PAID_AFTER_ABORT...`` (the wallet was
paid, the transfer ended without the FSP's commit: recover it off-ledger, ``inzira.remit.paid_unpaid``), either
status with ``NOT_AS_ASKED`` (the operator's answer describes another payout: not committed) or
``FAILED`` with the operator's reason (the wallet was not paid, the money went back to the sender). The reason
lives in the payout's record and, for these queries, in a column of its own (indexed where it is not empty);
a book kept before the column existed gets it filled in from the records once, at opening.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import msgspec

from inzira.remit.payout.types import PayoutStatus
from inzira.remit.records import PayoutRecord

if TYPE_CHECKING:
    from inzira.remit.store.db import Db

FLAGGED_STATUSES = (PayoutStatus.SUCCESSFUL.value, PayoutStatus.FAILED.value)
PAGE_MAX = 200
_BACKFILL_BATCH = 1_000
_dec = msgspec.msgpack.Decoder(PayoutRecord).decode
_INDEX = ("CREATE INDEX IF NOT EXISTS payouts_flagged ON payouts (fsp, updated_at_ms, pending_id)"
          " WHERE reason != ''")


def add_reason_column(conn: sqlite3.Connection) -> None:
    """Give a payout book from before the ``reason`` column the column, filled in from its records; then its
    index. One transaction: a crash half-way leaves the book as it was, and the next opening does it again."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(payouts)")}
    if "reason" not in columns:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("ALTER TABLE payouts ADD COLUMN reason TEXT NOT NULL DEFAULT ''")
            total = conn.execute("SELECT count(*) FROM payouts").fetchone()[0]
            after = b""
            for _ in range(total // _BACKFILL_BATCH + 1):  # every row once, in pending-id order
                rows = conn.execute("SELECT pending_id, record FROM payouts WHERE pending_id > ? ORDER BY pending_id"
                                    " LIMIT ?", (after, _BACKFILL_BATCH)).fetchall()
                for pending_id, record in rows:
                    reason = _dec(record).reason
                    if reason:
                        conn.execute("UPDATE payouts SET reason = ? WHERE pending_id = ?", (reason, pending_id))
                if len(rows) < _BACKFILL_BATCH:
                    break
                after = rows[-1][0]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    conn.execute(_INDEX)


def _where(fsp: str, statuses: tuple[str, ...], prefix: str) -> tuple[str, list[object]]:
    marks = ", ".join("?" for _ in statuses)
    # "reason != ''" as written, so SQLite uses the partial index; the prefix compared as text, not by LIKE,
    # whose "_" would match any character.
    sql = f"fsp = ? AND reason != '' AND status IN ({marks})"
    params: list[object] = [fsp, *statuses]
    if prefix:
        sql += " AND substr(reason, 1, ?) = ?"
        params += [len(prefix), prefix]
    return sql, params


class FlaggedPayouts:
    def __init__(self, db: Db) -> None:
        self.db = db

    def page(self, fsp: str, statuses: tuple[str, ...], prefix: str, limit: int,
             before: tuple[int, bytes] | None) -> list[PayoutRecord]:
        """Newest first (last change, then pending id), after ``before`` (the last row of the previous page)."""
        where, params = _where(fsp, statuses, prefix)
        if before is not None:
            where += " AND (updated_at_ms < ? OR (updated_at_ms = ? AND pending_id < ?))"
            params += [before[0], before[0], before[1]]
        rows = self.db.rows(f"SELECT record FROM payouts WHERE {where} ORDER BY updated_at_ms DESC, pending_id DESC"
                            " LIMIT ?", (*params, min(limit, PAGE_MAX + 1)))
        return [_dec(r[0]) for r in rows]

    def count(self, fsp: str, statuses: tuple[str, ...], prefix: str) -> int:
        where, params = _where(fsp, statuses, prefix)
        found = self.db.row(f"SELECT count(*) FROM payouts WHERE {where}", tuple(params))
        return int(found[0]) if found else 0

    def counts(self) -> list[tuple[str, str, int]]:
        """(fsp, status, flagged payouts) for every FSP of this book: what the metrics export."""
        marks = ", ".join("?" for _ in FLAGGED_STATUSES)
        return [(fsp, status, int(n)) for fsp, status, n in self.db.rows(
            f"SELECT fsp, status, count(*) FROM payouts WHERE reason != '' AND status IN ({marks})"
            " GROUP BY fsp, status ORDER BY fsp, status", FLAGGED_STATUSES)]
