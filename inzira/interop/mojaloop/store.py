"""The gateway's own SQLite book of FSPIOP quotes and transfers (payee side): what it answered, under which
request digest, and where each transfer stands on Inzira.

A quote or transfer is found again by its Mojaloop id (idempotent resends, GET by id) and a quote also by its
condition (POST /transfers names the quote only through its ILP packet and condition). Each write is its own
committed SQLite transaction (WAL, synchronous=FULL): the gateway answers the hub only after writing. A
transfer ended while its Inzira reservation was open is marked ``inzira_open`` (a column of its own, so the
sweep finds it without reading every record) until the sweep sees the chain end that reservation.

The quotes are bounded: at ``quotes_max`` rows a new quote first evicts expired quotes, unpaid or whose
transfer ended (a quote whose transfer is open is kept: its fulfilment is recomputed from its packet), and is
refused when that frees nothing. A forgotten quote id may be agreed again: it gets another condition, since
the fulfilment is bound to the packet and so to its expiry (fulfilment.py).

The transfers are bounded in time (``prune``, scheduled by retention.py): a transfer is deleted only once it
ended, its Inzira reservation is no longer watched, it needs no reconciliation, and it is older than its
retention. Its quote (kept while live, its ``transfer_id`` naming it) tells a resend of it from a new transfer.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import msgspec

DB_FILE = "mojaloop.db"
PAGE_ROWS_MAX = 500
QUOTES_MAX = 100_000
EVICT_ROWS_MAX = 1_000  # expired quotes looked at per eviction
PRUNE_ROWS_MAX = 1_000  # transfers deleted per prune

RECEIVED, RESERVED, COMMITTED, ABORTED = "RECEIVED", "RESERVED", "COMMITTED", "ABORTED"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS quotes (
  quote_id TEXT PRIMARY KEY, condition TEXT, expires_at_ms INTEGER NOT NULL, record BLOB NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS quotes_by_condition ON quotes (condition);
CREATE INDEX IF NOT EXISTS quotes_by_expiry ON quotes (expires_at_ms);
CREATE TABLE IF NOT EXISTS transfers (
  transfer_id TEXT PRIMARY KEY, state TEXT NOT NULL, expires_at_ms INTEGER NOT NULL, reconcile INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL, record BLOB NOT NULL, inzira_open INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS transfers_by_created ON transfers (created_at_ms, transfer_id);
CREATE INDEX IF NOT EXISTS transfers_by_state ON transfers (state, expires_at_ms);
CREATE INDEX IF NOT EXISTS transfers_to_reconcile ON transfers (reconcile);
CREATE INDEX IF NOT EXISTS transfers_by_state_created ON transfers (state, created_at_ms);
"""
# The prune's two passes, each walking its own index oldest first, so a pass reads little beyond what it deletes:
# any ended transfer past the longer retention, then refusals (ABORTED, no reservation) past the shorter one.
_PRUNABLE = f"inzira_open = 0 AND reconcile = 0 AND state IN ('{COMMITTED}', '{ABORTED}')"
_PRUNE_ENDED = ("DELETE FROM transfers WHERE transfer_id IN (SELECT transfer_id FROM transfers INDEXED BY "
                f"transfers_by_created WHERE created_at_ms < ? AND {_PRUNABLE} ORDER BY created_at_ms LIMIT ?)")
_PRUNE_REFUSED = ("DELETE FROM transfers WHERE transfer_id IN (SELECT transfer_id FROM transfers INDEXED BY "
                  f"transfers_by_state_created WHERE state = '{ABORTED}' AND created_at_ms < ? AND {_PRUNABLE} AND "
                  "json_extract(CAST(record AS TEXT), '$.pending_id') = '' ORDER BY created_at_ms LIMIT ?)")
# A book from before the ``inzira_open`` column gets it, and each of its ABORTED transfers with a reservation is
# looked at once: one may have posted after it ended.
_UPGRADE = f"""
ALTER TABLE transfers ADD COLUMN inzira_open INTEGER NOT NULL DEFAULT 0;
UPDATE transfers SET inzira_open = 1 WHERE state = '{ABORTED}' AND reconcile = 0
  AND json_extract(CAST(record AS TEXT), '$.pending_id') != '';
"""
_INZIRA_OPEN_INDEX = "CREATE INDEX IF NOT EXISTS transfers_inzira_open ON transfers (inzira_open, expires_at_ms)"


class QuoteRecord(msgspec.Struct, frozen=True):
    quote_id: str
    digest: str  # SHA-256 of the POST body as received: a resend must match it
    payer_fsp: str
    transaction_id: str
    party_type: str
    party_id: str
    amount_minor: int  # what the payer FSP transfers (transferAmount)
    currency: str
    created_at_ms: int
    expires_at_ms: int
    # Filled when the quote is accepted:
    member: str = ""  # the Inzira member that serves the payee
    credit_account: str = ""
    payee_receive_minor: int = 0
    expiration: str = ""
    ilp_packet: str = ""
    condition: str = ""
    transfer_id: str = ""  # the one transfer that pays this quote: a quote is paid at most once
    # Filled when it is refused:
    error_code: int = 0
    error_description: str = ""


class TransferRecord(msgspec.Struct, frozen=True):
    transfer_id: str
    digest: str
    payer_fsp: str
    quote_id: str
    amount_minor: int
    currency: str
    condition: str
    expires_at_ms: int
    state: str
    created_at_ms: int
    updated_at_ms: int
    pending_id: str = ""  # hex id of the Inzira pending transfer
    fulfilment: str = ""
    completed_timestamp: str = ""
    error_code: int = 0
    error_description: str = ""
    hub_state: str = ""  # what the hub's PATCH or error callback said
    reconcile: str = ""  # why this transfer needs an operator: the hub and Inzira disagree
    # Ended ABORTED while its Inzira reservation was still open (a commit of ours may yet post it): the sweep
    # looks at it again until the chain ends the reservation.
    inzira_open: bool = False
    version: str = "1.1"  # the FSPIOP version the payer spoke: callbacks answer in it


class Store:
    def __init__(self, path: Path, quotes_max: int = QUOTES_MAX) -> None:
        self.path = path
        self.quotes_max = quotes_max
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)
        if "inzira_open" not in {row[1] for row in self._conn.execute("PRAGMA table_info(transfers)")}:
            self._conn.executescript(f"BEGIN; {_UPGRADE} COMMIT;")
        self._conn.execute(_INZIRA_OPEN_INDEX)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- quotes ---

    def add_quote(self, quote: QuoteRecord, now_ms: int) -> QuoteRecord | None:
        """Insert a new quote; when its id exists, the stored one (the caller compares digests); None when the
        book is full of quotes still live or paid."""
        with self._lock:
            row = self._conn.execute("SELECT record FROM quotes WHERE quote_id = ?", (quote.quote_id,)).fetchone()
            if row is not None:
                return msgspec.json.decode(row[0], type=QuoteRecord)
            if self._conn.execute("SELECT COUNT(*) FROM quotes").fetchone()[0] >= self.quotes_max \
                    and not self._evict_expired(now_ms):
                return None
            self._conn.execute("INSERT INTO quotes VALUES (?, ?, ?, ?)", _quote_row(quote))
        return quote

    def _evict_expired(self, now_ms: int) -> int:
        # A quote whose transfer is still open stays: that transfer's commit recomputes the fulfilment from it.
        # The record is JSON bytes: read as text, so no SQLite version takes the blob for its binary JSONB.
        rows = self._conn.execute(
            "SELECT q.quote_id FROM (SELECT quote_id, expires_at_ms, json_extract(CAST(record AS TEXT), "
            "'$.transfer_id') AS transfer FROM quotes WHERE expires_at_ms <= ?) q LEFT JOIN transfers t"
            " ON t.transfer_id = q.transfer WHERE q.transfer = '' OR t.transfer_id IS NULL OR t.state IN (?, ?)"
            " ORDER BY q.expires_at_ms"
            " LIMIT ?",
            (now_ms, COMMITTED, ABORTED, EVICT_ROWS_MAX)).fetchall()
        self._conn.executemany("DELETE FROM quotes WHERE quote_id = ?", rows)
        return len(rows)

    def put_quote(self, quote: QuoteRecord) -> None:
        with self._lock:
            self._conn.execute("REPLACE INTO quotes VALUES (?, ?, ?, ?)", _quote_row(quote))

    def quote(self, quote_id: str) -> QuoteRecord | None:
        return self._one("SELECT record FROM quotes WHERE quote_id = ?", quote_id, QuoteRecord)

    def quote_by_condition(self, condition: str) -> QuoteRecord | None:
        return self._one("SELECT record FROM quotes WHERE condition = ?", condition, QuoteRecord)

    # --- transfers ---

    def add_transfer(self, transfer: TransferRecord) -> TransferRecord:
        with self._lock:
            row = self._conn.execute("SELECT record FROM transfers WHERE transfer_id = ?",
                                     (transfer.transfer_id,)).fetchone()
            if row is not None:
                return msgspec.json.decode(row[0], type=TransferRecord)
            self._conn.execute("INSERT INTO transfers VALUES (?, ?, ?, ?, ?, ?, ?)", _transfer_row(transfer))
        return transfer

    def put_transfer(self, transfer: TransferRecord) -> None:
        with self._lock:
            self._conn.execute("REPLACE INTO transfers VALUES (?, ?, ?, ?, ?, ?, ?)", _transfer_row(transfer))

    def transfer(self, transfer_id: str) -> TransferRecord | None:
        return self._one("SELECT record FROM transfers WHERE transfer_id = ?", transfer_id, TransferRecord)

    def open_transfers(self, limit: int = PAGE_ROWS_MAX) -> list[TransferRecord]:
        """Transfers not yet final, soonest expiry first (at most ``limit``)."""
        return self._many("SELECT record FROM transfers WHERE state IN (?, ?) ORDER BY expires_at_ms LIMIT ?",
                          (RECEIVED, RESERVED, min(limit, PAGE_ROWS_MAX)))

    def inzira_open_transfers(self, limit: int = PAGE_ROWS_MAX) -> list[TransferRecord]:
        """Transfers ended here whose Inzira reservation was still open, soonest expiry first (at most ``limit``)."""
        return self._many("SELECT record FROM transfers WHERE inzira_open = 1 ORDER BY expires_at_ms LIMIT ?",
                          (min(limit, PAGE_ROWS_MAX),))

    def to_reconcile(self, limit: int = PAGE_ROWS_MAX) -> list[TransferRecord]:
        return self._many("SELECT record FROM transfers WHERE reconcile = 1 ORDER BY transfer_id LIMIT ?",
                          (min(limit, PAGE_ROWS_MAX),))

    def received_page(self, from_ms: int, to_ms: int, after: tuple[int, str] | None,
                      limit: int = PAGE_ROWS_MAX) -> list[TransferRecord]:
        """Transfers received in [from_ms, to_ms) after the ``(created_at_ms, transfer_id)`` cursor, oldest first."""
        at_ms, transfer_id = after if after is not None else (from_ms, "")
        return self._many("SELECT record FROM transfers WHERE created_at_ms < ? AND created_at_ms >= ? AND "
                          "(created_at_ms, transfer_id) > (?, ?) ORDER BY created_at_ms, transfer_id LIMIT ?",
                          (to_ms, from_ms, at_ms, transfer_id, min(limit, PAGE_ROWS_MAX)))

    def received_totals(self, from_ms: int, to_ms: int) -> list[tuple[str, str, str, int, int]]:
        """(state, hub state, currency, count, sum of amounts) of the transfers received in [from_ms, to_ms)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT state, json_extract(record, '$.hub_state'), json_extract(record, '$.currency'), COUNT(*), "
                "SUM(json_extract(record, '$.amount_minor')) FROM transfers WHERE created_at_ms >= ? AND "
                "created_at_ms < ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", (from_ms, to_ms)).fetchall()
        return [(str(r[0]), str(r[1] or ""), str(r[2]), int(r[3]), int(r[4] or 0)) for r in rows]

    def prune(self, refused_before_ms: int, settled_before_ms: int, limit: int = PRUNE_ROWS_MAX) -> int:
        """Delete up to ``limit`` ended transfers, oldest first: those refused before any reservation on Inzira
        (ABORTED, no pending id) received before ``refused_before_ms``, any other received before
        ``settled_before_ms``. Never one still open, watched on Inzira (``inzira_open``) or to reconcile."""
        limit = min(limit, PRUNE_ROWS_MAX)
        with self._lock:  # one statement a pass, one commit: not an fsync per row (synchronous=FULL)
            deleted = self._conn.execute(_PRUNE_ENDED, (settled_before_ms, limit)).rowcount
            if deleted < limit:
                deleted += self._conn.execute(_PRUNE_REFUSED, (refused_before_ms, limit - deleted)).rowcount
        return deleted

    def _one(self, sql: str, key: str, kind: type[msgspec.Struct]):  # type: ignore[no-untyped-def]
        with self._lock:
            row = self._conn.execute(sql, (key,)).fetchone()
        return None if row is None else msgspec.json.decode(row[0], type=kind)

    def _many(self, sql: str, args: tuple[object, ...]) -> list[TransferRecord]:
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [msgspec.json.decode(r[0], type=TransferRecord) for r in rows]


def _quote_row(q: QuoteRecord) -> tuple[object, ...]:
    return (q.quote_id, q.condition or None, q.expires_at_ms, msgspec.json.encode(q))


def _transfer_row(t: TransferRecord) -> tuple[object, ...]:
    return (t.transfer_id, t.state, t.expires_at_ms, 1 if t.reconcile else 0, t.created_at_ms, msgspec.json.encode(t),
            1 if t.inzira_open else 0)
