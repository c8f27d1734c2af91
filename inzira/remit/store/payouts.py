"""The receiving side's books: one payout per pending transfer it was asked to pay, keyed by the pending id, and
at most one per quote (``payout_quotes``): a second reservation made under a quote already paid is not paid."""

from __future__ import annotations

import msgspec

from inzira.remit.payout.types import PayoutStatus
from inzira.remit.records import PayoutRecord
from inzira.remit.store.cache import RecordCache
from inzira.remit.store.db import Db
from inzira.remit.store.transfers import CACHED_MAX

UPDATED_MS_MAX = 2**63 - 1  # SQLite's largest integer: no upper bound
_enc = msgspec.msgpack.Encoder().encode
_dec = msgspec.msgpack.Decoder(PayoutRecord).decode


class PayoutStore:
    def __init__(self, db: Db, cached_max: int = CACHED_MAX) -> None:
        self.db = db
        self._cache: RecordCache[bytes, PayoutRecord] = RecordCache(cached_max)  # see ``RecordCache``

    def claim(self, payout: PayoutRecord) -> PayoutRecord | None:
        """Record a new payout, or return the one already recorded for this pending transfer; None when the
        payout of another pending transfer took this quote."""
        with self._cache.lock:
            found = self.get(payout.pending_id)
            if found is not None:
                return found
            with self.db.tx() as db:
                if db.execute("INSERT OR IGNORE INTO payout_quotes VALUES (?, ?)",
                              (payout.quote_id, payout.pending_id)).rowcount != 1:
                    return None
                db.execute("INSERT INTO payouts VALUES (?, ?, ?, ?, ?, ?)",
                           (payout.pending_id, payout.fsp, payout.status, payout.updated_at_ms, _enc(payout),
                            payout.reason))
            self._cache.put(payout.pending_id, payout)
            return payout

    def put(self, payout: PayoutRecord) -> None:
        with self._cache.lock:
            if self.db.write("UPDATE payouts SET status = ?, updated_at_ms = ?, record = ?, reason = ?"
                             " WHERE pending_id = ?", (payout.status, payout.updated_at_ms, _enc(payout),
                                                       payout.reason, payout.pending_id)) == 1:
                self._cache.put(payout.pending_id, payout)

    def flag_unpaid(self, pending_id: bytes, reason: str, now_ms: int) -> PayoutRecord | None:
        """Give a payout made whose commit never landed its reason (``PAID_AFTER_ABORT...``); None, changing
        nothing, when there is no such payout, or it has a reason already: each is flagged once."""
        with self._cache.lock:
            found = self.get(pending_id)
            if found is None or found.status != PayoutStatus.SUCCESSFUL or found.reason or found.resolve_tx_id:
                return None
            flagged = msgspec.structs.replace(found, reason=reason, updated_at_ms=now_ms)
            self.put(flagged)
            return flagged

    def get(self, pending_id: bytes) -> PayoutRecord | None:
        return self._cache.get(pending_id, self._load)

    def _load(self, pending_id: bytes) -> PayoutRecord | None:
        found = self.db.row("SELECT record FROM payouts WHERE pending_id = ?", (pending_id,))
        return None if found is None else _dec(found[0])

    def in_status(self, statuses: tuple[str, ...], limit: int, updated_ms: tuple[int, int] = (0, UPDATED_MS_MAX)
                  ) -> list[PayoutRecord]:
        """Payouts in ``statuses`` last updated within ``updated_ms`` (both ends in), least recently updated first."""
        marks = ", ".join("?" for _ in statuses)
        rows = self.db.rows(f"SELECT record FROM payouts WHERE status IN ({marks}) AND updated_at_ms BETWEEN ? AND ?"
                            " ORDER BY updated_at_ms LIMIT ?", (*statuses, *updated_ms, limit))
        return [_dec(r[0]) for r in rows]
