"""The receiving side's books: one payout per pending transfer it was asked to pay, keyed by the pending id."""

from __future__ import annotations

import msgspec

from inzira.remit.records import PayoutRecord
from inzira.remit.store.db import Db

_enc = msgspec.msgpack.Encoder().encode
_dec = msgspec.msgpack.Decoder(PayoutRecord).decode


class PayoutStore:
    def __init__(self, db: Db) -> None:
        self.db = db

    def claim(self, payout: PayoutRecord) -> PayoutRecord:
        """Record a new payout, or return the one already recorded for this pending transfer."""
        with self.db.tx() as db:
            found = db.execute("SELECT record FROM payouts WHERE pending_id = ?", (payout.pending_id,)).fetchone()
            if found is not None:
                return _dec(found[0])
            db.execute("INSERT INTO payouts VALUES (?, ?, ?, ?, ?)",
                       (payout.pending_id, payout.fsp, payout.status, payout.updated_at_ms, _enc(payout)))
            return payout

    def put(self, payout: PayoutRecord) -> None:
        with self.db.tx() as db:
            db.execute("UPDATE payouts SET status = ?, updated_at_ms = ?, record = ? WHERE pending_id = ?",
                       (payout.status, payout.updated_at_ms, _enc(payout), payout.pending_id))

    def get(self, pending_id: bytes) -> PayoutRecord | None:
        found = self.db.row("SELECT record FROM payouts WHERE pending_id = ?", (pending_id,))
        return None if found is None else _dec(found[0])

    def in_status(self, statuses: tuple[str, ...], limit: int) -> list[PayoutRecord]:
        marks = ", ".join("?" for _ in statuses)
        rows = self.db.rows(f"SELECT record FROM payouts WHERE status IN ({marks}) ORDER BY updated_at_ms LIMIT ?",
                            (*statuses, limit))
        return [_dec(r[0]) for r in rows]
