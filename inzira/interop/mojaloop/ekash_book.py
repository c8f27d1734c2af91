"""The eKash payout route's records (payer side), in SQLite: one row per Inzira quote id, with the eKash
quote's terms, its transfer's outcome and fulfilment, and when it was sent (for the settlement window)."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from inzira.interop.mojaloop.payer_answers import QuoteTerms

@dataclass(frozen=True)
class SentTransfer:
    """One eKash transfer the gateway sent (payer side), as its records stand."""

    quote_id: str  # the Inzira remittance quote it pays out
    transfer_id: str  # the eKash transfer id (before 7 Dec 2026, the quote's transaction id)
    currency: str
    transfer_amount_minor: int  # what the gateway owes the hub once it commits
    receive_amount_minor: int  # what the wallet receives
    state: str  # QUOTED (sent, no final answer yet), COMMITTED, ABORTED
    reason: str
    reference_id: str  # the Inzira payout's reference
    expires_at_ms: int
    sent_at_ms: int


class RouteBook:
    """The route's records in SQLite: one row per Inzira quote id."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS ekash (quote_id TEXT PRIMARY KEY, msisdn TEXT NOT NULL,"
                        " terms TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'QUOTED', reason TEXT NOT NULL DEFAULT '',"
                        " fulfilment BLOB, reference_id TEXT UNIQUE, expires_at TEXT)")
        # When the eKash transfer was sent (settlement windows); added after the table's first version.
        if "sent_at_ms" not in {row[1] for row in self.db.execute("PRAGMA table_info(ekash)")}:
            self.db.execute("ALTER TABLE ekash ADD COLUMN sent_at_ms INTEGER")
        self.db.execute("CREATE INDEX IF NOT EXISTS ekash_by_sent ON ekash (sent_at_ms, quote_id)")
        self.db.execute("CREATE INDEX IF NOT EXISTS ekash_by_transfer ON ekash"
                        " (json_extract(terms, '$.transaction_id'))")
        self.db.execute("CREATE INDEX IF NOT EXISTS ekash_by_transfer_id ON ekash"
                        " (json_extract(terms, '$.transfer_id'))")
        self.lock = threading.Lock()

    def has(self, quote_id: str) -> bool:
        with self.lock:
            return self.db.execute("SELECT 1 FROM ekash WHERE quote_id = ?", (quote_id,)).fetchone() is not None

    def put_quote(self, quote_id: str, msisdn: str, terms: QuoteTerms) -> bool:
        """Keep a new quote; False, changing nothing, when ``quote_id`` has one already (a row is never replaced:
        it may be the record of a transfer sent, which settlement counts)."""
        record = {**asdict(terms), "expiration": terms.expiration.isoformat(), "condition": terms.condition.hex()}
        with self.lock:
            return self.db.execute("INSERT OR IGNORE INTO ekash (quote_id, msisdn, terms) VALUES (?, ?, ?)",
                                   (quote_id, msisdn, json.dumps(record))).rowcount == 1

    def get(self, quote_id: str) -> tuple[str, QuoteTerms, str, str, bytes | None] | None:
        with self.lock:
            row = self.db.execute("SELECT msisdn, terms, state, reason, fulfilment FROM ekash WHERE quote_id = ?",
                                  (quote_id,)).fetchone()
        if row is None:
            return None
        record = json.loads(row[1])
        record["expiration"] = datetime.fromisoformat(record["expiration"])
        record["condition"] = bytes.fromhex(record["condition"])
        record.setdefault("transfer_id", record["transaction_id"])  # a row from before transfer ids were fresh
        return row[0], QuoteTerms(**record), row[2], row[3], row[4]

    def has_transfer(self, transfer_id: str) -> bool:
        """Whether ``transfer_id`` is an id the route issued: one of its eKash transfers' or quotes' transaction
        ids (which an older row also used as its transfer id)."""
        with self.lock:
            return self.db.execute("SELECT 1 FROM ekash WHERE json_extract(terms, '$.transfer_id') = ?1"
                                   " OR json_extract(terms, '$.transaction_id') = ?1",
                                   (transfer_id,)).fetchone() is not None

    def quote_of(self, reference_id: str) -> str | None:
        with self.lock:
            row = self.db.execute("SELECT quote_id FROM ekash WHERE reference_id = ?", (reference_id,)).fetchone()
        return None if row is None else str(row[0])

    def expiration(self, quote_id: str) -> datetime | None:
        with self.lock:
            row = self.db.execute("SELECT expires_at FROM ekash WHERE quote_id = ?", (quote_id,)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def sending(self, quote_id: str, reference_id: str, expiration: datetime, sent_at_ms: int) -> None:
        """Recorded before the eKash transfer is sent: after a restart, ``status`` asks the hub about it."""
        with self.lock:
            self.db.execute("UPDATE ekash SET reference_id = ?, expires_at = ?, sent_at_ms = ? WHERE quote_id = ?",
                            (reference_id, expiration.isoformat(), sent_at_ms, quote_id))

    def sent_page(self, from_ms: int, to_ms: int, after: tuple[int, str] | None, limit: int) -> list[SentTransfer]:
        """eKash transfers sent in [from_ms, to_ms) after the ``(sent_at_ms, quote_id)`` cursor, oldest first."""
        at_ms, quote_id = after if after is not None else (from_ms, "")
        with self.lock:
            rows = self.db.execute(
                "SELECT quote_id, terms, state, reason, reference_id, expires_at, sent_at_ms FROM ekash WHERE"
                " sent_at_ms >= ? AND sent_at_ms < ? AND (sent_at_ms, quote_id) > (?, ?)"
                " ORDER BY sent_at_ms, quote_id LIMIT ?", (from_ms, to_ms, at_ms, quote_id, limit)).fetchall()
        sent = []
        for row in rows:
            terms = json.loads(row[1])
            sent.append(SentTransfer(row[0], terms.get("transfer_id", terms["transaction_id"]), terms["currency"],
                                     int(terms["transfer_amount_minor"]), int(terms["payee_receive_amount_minor"]),
                                     row[2], row[3], row[4], int(datetime.fromisoformat(row[5]).timestamp() * 1000),
                                     int(row[6])))
        return sent

    def sent_totals(self, from_ms: int, to_ms: int) -> list[tuple[str, str, int, int]]:
        """(state, currency, count, sum of transfer amounts) of the eKash transfers sent in [from_ms, to_ms)."""
        with self.lock:
            rows = self.db.execute(
                "SELECT state, json_extract(terms, '$.currency'), COUNT(*),"
                " SUM(json_extract(terms, '$.transfer_amount_minor')) FROM ekash WHERE sent_at_ms >= ? AND"
                " sent_at_ms < ? GROUP BY 1, 2 ORDER BY 1, 2", (from_ms, to_ms)).fetchall()
        return [(str(r[0]), str(r[1]), int(r[2]), int(r[3] or 0)) for r in rows]

    def finish(self, quote_id: str, state: str, reason: str, fulfilment: bytes | None) -> None:
        with self.lock:
            self.db.execute("UPDATE ekash SET state = ?, reason = ?, fulfilment = ? WHERE quote_id = ?",
                            (state, reason, fulfilment, quote_id))

    def close(self) -> None:
        self.db.close()
