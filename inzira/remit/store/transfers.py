"""The sending side's books: quotes, transfers with their timeline, and compliance decisions."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import msgspec

from inzira.remit.records import DecisionRecord, QuoteTerms, TimelineStep, TransferRecord, TransferState
from inzira.remit.store.cache import RecordCache
from inzira.remit.store.db import Db

LIST_LIMIT_MAX = 500
DECISION_ID_MAX = 2**63 - 1  # SQLite's largest row id: "before" it is the whole log
# Transfers and quotes kept in memory: several seconds of remittances at 1,000/s, their live ones all there.
CACHED_MAX = 20_000

_enc = msgspec.msgpack.Encoder().encode
_dec_quote = msgspec.msgpack.Decoder(QuoteTerms).decode
_dec_transfer = msgspec.msgpack.Decoder(TransferRecord).decode
_dec_step = msgspec.msgpack.Decoder(TimelineStep).decode
_dec_decision = msgspec.msgpack.Decoder(DecisionRecord).decode


class QuoteAlreadyUsed(Exception):
    """The quote was already taken by another transfer."""


class TransferStore:
    def __init__(self, db: Db, cached_max: int = CACHED_MAX) -> None:
        self.db = db
        self._transfers: RecordCache[str, TransferRecord] = RecordCache(cached_max)
        self._quotes: RecordCache[str, tuple[QuoteTerms, str | None]] = RecordCache(cached_max)
        self._reserved: dict[bytes, str] = {}  # pending id -> transfer id, of the records in memory

    # --- quotes ---

    def put_quote(self, terms: QuoteTerms) -> None:
        with self._quotes.lock:
            self.db.write("INSERT INTO quotes VALUES (?, ?, ?, ?, NULL, ?)",
                          (terms.quote_id, terms.sending_fsp, terms.receiving_fsp, terms.expires_at_ms, _enc(terms)))
            self._quotes.put(terms.quote_id, (terms, None))

    def quote(self, quote_id: str) -> tuple[QuoteTerms, str | None] | None:
        """The quote's terms and the transfer that used it (None if unused)."""
        return self._quotes.get(quote_id, self._load_quote)

    def _load_quote(self, quote_id: str) -> tuple[QuoteTerms, str | None] | None:
        found = self.db.row("SELECT terms, used_by FROM quotes WHERE quote_id = ?", (quote_id,))
        return None if found is None else (_dec_quote(found[0]), found[1])

    def prune_quotes(self, unused_before_ms: int, limit: int) -> int:
        """Forget unused quotes that expired before ``unused_before_ms`` (used ones stay with their transfer)."""
        with self._quotes.lock:
            with self.db.tx() as db:
                cursor = db.execute(
                    "DELETE FROM quotes WHERE quote_id IN (SELECT quote_id FROM quotes WHERE used_by IS NULL"
                    " AND expires_at_ms < ? LIMIT ?)", (unused_before_ms, limit))
            if cursor.rowcount:
                self._quotes.clear()  # rare (a sweep of expired quotes): the live ones are read back on use
            return cursor.rowcount

    # --- transfers ---

    def create(self, record: TransferRecord, step: TimelineStep, decision: DecisionRecord,
               reserve_tx: bytes | None) -> None:
        """Record a new transfer, its first step and its screening decision, and take its quote, at once."""
        with self._quotes.lock, self._transfers.lock:
            self._create(record, step, decision, reserve_tx)
            quote = self._quotes.peek(record.quote_id)
            if quote is not None:
                self._quotes.put(record.quote_id, (quote[0], record.transfer_id))
            self._remember(record)

    def _remember(self, record: TransferRecord) -> None:
        """With the transfers' lock held, once the database holds ``record``."""
        self._transfers.put(record.transfer_id, record)
        if record.reserve_tx_id:
            if len(self._reserved) >= self._transfers.entries_max:
                del self._reserved[next(iter(self._reserved))]  # its record went first: a look-up reads the file
            self._reserved[record.reserve_tx_id] = record.transfer_id

    def _create(self, record: TransferRecord, step: TimelineStep, decision: DecisionRecord,
                reserve_tx: bytes | None) -> None:
        with self.db.tx() as db:
            cursor = db.execute("UPDATE quotes SET used_by = ? WHERE quote_id = ? AND used_by IS NULL",
                                (record.transfer_id, record.quote_id))
            if cursor.rowcount != 1:
                raise QuoteAlreadyUsed(record.quote_id)
            db.execute(
                "INSERT INTO transfers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.transfer_id, record.sending_fsp, record.receiving_fsp, record.sender_id, record.state,
                 record.code, record.source_currency, record.amount_sent_minor, record.amount_received_minor,
                 record.created_at_ms, record.updated_at_ms, record.reserve_tx_id or None, reserve_tx,
                 int(decision.outcome != "pass"), _enc(record)))
            self._add_step(db, record.transfer_id, step)
            self._add_decision(db, decision)

    def update(self, record: TransferRecord, step: TimelineStep | None, reserve_tx: bytes | None = None,
               decision: DecisionRecord | None = None) -> None:
        with self._transfers.lock:
            with self.db.tx() as db:
                cursor = db.execute(
                    "UPDATE transfers SET state = ?, code = ?, updated_at_ms = ?, reserve_tx_id = ?,"
                    " reserve_tx = COALESCE(?, reserve_tx), record = ? WHERE transfer_id = ?",
                    (record.state, record.code, record.updated_at_ms, record.reserve_tx_id or None, reserve_tx,
                     _enc(record), record.transfer_id))
                if step is not None:
                    self._add_step(db, record.transfer_id, step)
                if decision is not None:
                    self._add_decision(db, decision)
            if cursor.rowcount == 1:
                self._remember(record)

    def add_decision(self, decision: DecisionRecord) -> None:
        """A decision that does not change the transfer's state (screening again against a new list)."""
        self.db.write(*_decision_row(decision))

    def add_step(self, transfer_id: str, step: TimelineStep) -> None:
        self.db.write(*_step_row(transfer_id, step))

    @staticmethod
    def _add_step(db: sqlite3.Connection, transfer_id: str, step: TimelineStep) -> None:
        db.execute(*_step_row(transfer_id, step))

    @staticmethod
    def _add_decision(db: sqlite3.Connection, decision: DecisionRecord) -> None:
        db.execute(*_decision_row(decision))

    def get(self, transfer_id: str) -> TransferRecord | None:
        return self._transfers.get(transfer_id, self._load)

    def _load(self, transfer_id: str) -> TransferRecord | None:
        found = self.db.row("SELECT record FROM transfers WHERE transfer_id = ?", (transfer_id,))
        return None if found is None else _dec_transfer(found[0])

    def by_reserve(self, pending_id: bytes) -> TransferRecord | None:
        transfer_id = self._reserved.get(pending_id)
        record = self._transfers.peek(transfer_id) if transfer_id is not None else None
        if record is not None and record.reserve_tx_id == pending_id:
            return record
        found = self.db.row("SELECT record FROM transfers WHERE reserve_tx_id = ?", (pending_id,))
        return None if found is None else _dec_transfer(found[0])

    def reserve_tx(self, transfer_id: str) -> bytes | None:
        found = self.db.row("SELECT reserve_tx FROM transfers WHERE transfer_id = ?", (transfer_id,))
        return None if found is None or found[0] is None else bytes(found[0])

    def timeline(self, transfer_id: str) -> list[TimelineStep]:
        rows = self.db.rows("SELECT step FROM timeline WHERE transfer_id = ? ORDER BY seq", (transfer_id,))
        return [_dec_step(r[0]) for r in rows]

    def decisions(self, transfer_id: str) -> list[DecisionRecord]:
        rows = self.db.rows("SELECT record FROM decisions WHERE transfer_id = ? ORDER BY id", (transfer_id,))
        return [_dec_decision(r[0]) for r in rows]

    def decisions_of(self, sending_fsp: str, limit: int,
                     before_id: int | None = None) -> list[tuple[int, DecisionRecord]]:
        """The member's decisions log, newest first, each with its row id: a page goes on before ``before_id``."""
        rows = self.db.rows("SELECT id, record FROM decisions WHERE sending_fsp = ? AND id < ? ORDER BY id DESC"
                            " LIMIT ?", (sending_fsp, DECISION_ID_MAX if before_id is None else before_id,
                             min(limit, LIST_LIMIT_MAX)))
        return [(r[0], _dec_decision(r[1])) for r in rows]

    def history(self, sending_fsp: str, sender_id: str, since_ms: int, limit: int) -> list[tuple[int, int, str]]:
        """The sender's transfers that count towards limits: not refused by compliance, not aborted."""
        return [tuple(r) for r in self.db.rows(  # type: ignore[misc]
            "SELECT created_at_ms, amount_sent_minor, source_currency FROM transfers WHERE sending_fsp = ?"
            " AND sender_id = ? AND created_at_ms > ? AND state NOT IN ('REJECTED', 'ABORTED')"
            " ORDER BY created_at_ms DESC LIMIT ?", (sending_fsp, sender_id, since_ms, limit))]

    def page(self, *, sending_fsp: str | None = None, receiving_fsp: str | None = None,
             states: Sequence[TransferState] = (), before_ms: int | None = None, flagged: bool = False,
             reserved: bool = False, oldest_first: bool = False, limit: int = 50,
             after: tuple[int, str] | None = None) -> list[TransferRecord]:
        """Newest first (then by id descending), or oldest first (then by id); ``before_ms`` keeps transfers
        created before it, ``after`` starts just after the last row of the previous page (created_at_ms,
        transfer_id), so no row is skipped or repeated when several share a millisecond; ``reserved`` keeps
        those that reached the chain (a reservation)."""
        where, params = ["1 = 1"], []  # type: ignore[var-annotated]
        for column, value in (("sending_fsp", sending_fsp), ("receiving_fsp", receiving_fsp)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if states:
            where.append(f"state IN ({', '.join('?' for _ in states)})")
            params.extend(states)
        if before_ms is not None:
            where.append("created_at_ms < ?")
            params.append(before_ms)
        order, past = ("ASC", ">") if oldest_first else ("DESC", "<")
        if after is not None:
            where.append(f"(created_at_ms {past} ? OR (created_at_ms = ? AND transfer_id {past} ?))")
            params.extend((after[0], after[0], after[1]))
        if flagged:
            where.append("flagged = 1")
        if reserved:
            where.append("reserve_tx_id IS NOT NULL")
        sql = (f"SELECT record FROM transfers WHERE {' AND '.join(where)}"
               f" ORDER BY created_at_ms {order}, transfer_id {order} LIMIT ?")
        rows = self.db.rows(sql, (*params, min(limit, LIST_LIMIT_MAX)))
        return [_dec_transfer(r[0]) for r in rows]

    def in_states(self, states: Sequence[TransferState], updated_before_ms: int, limit: int) -> list[TransferRecord]:
        """Oldest first: what reconciliation looks at."""
        marks = ", ".join("?" for _ in states)
        rows = self.db.rows(f"SELECT record FROM transfers WHERE state IN ({marks}) AND updated_at_ms < ?"
                            " ORDER BY updated_at_ms LIMIT ?", (*states, updated_before_ms, limit))
        return [_dec_transfer(r[0]) for r in rows]


def _step_row(transfer_id: str, step: TimelineStep) -> tuple[str, tuple[object, ...]]:
    return ("INSERT INTO timeline SELECT ?, COALESCE(MAX(seq), 0) + 1, ? FROM timeline WHERE transfer_id = ?",
            (transfer_id, _enc(step), transfer_id))


def _decision_row(decision: DecisionRecord) -> tuple[str, tuple[object, ...]]:
    return ("INSERT INTO decisions (transfer_id, sending_fsp, at_ms, outcome, record) VALUES (?, ?, ?, ?, ?)",
            (decision.transfer_id, decision.sending_fsp, decision.at_ms, decision.outcome, _enc(decision)))
