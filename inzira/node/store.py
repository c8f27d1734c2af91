"""A peer's storage: one SQLite file holding its blocks, its transaction index and its state rows.

A block, its index rows and its state changes are written in one SQLite transaction with the WAL synced
(synchronous=FULL) before anything is acknowledged, so a crash leaves either the whole block or none of it.
Readers use their own connections (WAL lets them read while the writer writes).
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    height INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    timestamp_ms INTEGER NOT NULL,
    tx_count INTEGER NOT NULL,
    data BLOB NOT NULL,
    log_ts_ms INTEGER NOT NULL  -- the ordering log's own time for the entry that carried it (0: none)
);
CREATE TABLE IF NOT EXISTS txs (
    id BLOB PRIMARY KEY,
    height INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    code INTEGER NOT NULL,
    at INTEGER NOT NULL,
    ref_key BLOB,
    ref_expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS txs_live_refs ON txs (ref_expires_at_ms) WHERE ref_expires_at_ms > 0;
CREATE TABLE IF NOT EXISTS state (key BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pruned_pendings (id BLOB PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshot_refs (
    ref_key BLOB PRIMARY KEY,
    tx_id BLOB NOT NULL,
    expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
"""
IDS_PER_QUERY_MAX = 500
BLOCKS_PAGE_MAX = 500


@dataclass(frozen=True, slots=True)
class Tip:
    height: int
    block_hash: bytes
    state_hash: bytes
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class TxLocation:
    height: int
    index: int
    code: int
    at: int  # the leg or element that broke a rule, -1 for none


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []  # every thread's reader, so close() closes them all
        self._readers_lock = threading.Lock()
        self._writer = self._connect()
        self._writer.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA cache_size=-65536")  # 64 MiB: index inserts land on cached pages
        return conn

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    # --- meta ---

    def get_meta(self, key: str) -> bytes | None:
        row = self._reader().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def tip(self) -> Tip | None:
        row = self._reader().execute(
            "SELECT height, hash, timestamp_ms FROM blocks ORDER BY height DESC LIMIT 1"
        ).fetchone()
        state_hash = self.get_meta("state_hash")
        if row is None or state_hash is None:
            return None
        return Tip(row[0], row[1], state_hash, row[2])

    # --- writes ---

    def initialize(self, chain_id: bytes, genesis_json: bytes, genesis_rows: Sequence[tuple[bytes, bytes | None]],
                   state_hash: bytes) -> None:
        """Record the genesis (height 0) once."""
        w = self._writer
        w.execute("BEGIN IMMEDIATE")
        try:
            w.execute("INSERT INTO meta VALUES ('chain_id', ?), ('genesis', ?), ('state_hash', ?)",
                      (chain_id, genesis_json, state_hash))
            w.executemany("INSERT INTO state VALUES (?, ?)", [(k, v) for k, v in genesis_rows if v is not None])
            w.execute("COMMIT")
        except BaseException:
            w.execute("ROLLBACK")
            raise

    def commit_block(
        self,
        height: int,
        block_hash: bytes,
        timestamp_ms: int,
        tx_count: int,
        data: bytes,
        tx_rows: Iterable[tuple[bytes, int, int, int, int, bytes | None, int]],
        write_set: Sequence[tuple[bytes, bytes | None]],
        state_hash: bytes,
        meta: Sequence[tuple[str, bytes]] = (),
        log_ts_ms: int = 0,
        pruned: Sequence[tuple[bytes, bytes]] = (),
    ) -> None:
        """One block, its index rows, its state changes, the pending transfers it pruned from the state
        (kept here so the API still answers for them) and any extra ``meta`` rows, in one transaction."""
        w = self._writer
        w.execute("BEGIN IMMEDIATE")
        try:
            w.execute("INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?)",
                      (height, block_hash, timestamp_ms, tx_count, data, log_ts_ms))
            # Only transactions that spent their id are indexed, so each id appears once, where it was spent.
            w.executemany("INSERT INTO txs VALUES (?, ?, ?, ?, ?, ?, ?)", tx_rows)
            w.executemany("INSERT OR REPLACE INTO pruned_pendings VALUES (?, ?)", pruned)
            w.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", [(k, v) for k, v in write_set if v is not None])
            w.executemany("DELETE FROM state WHERE key = ?", [(k,) for k, v in write_set if v is None])
            w.execute("INSERT OR REPLACE INTO meta VALUES ('state_hash', ?)", (state_hash,))
            w.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
            w.execute("COMMIT")
        except BaseException:
            w.execute("ROLLBACK")
            raise

    def install_snapshot(
        self,
        block_row: tuple[int, bytes, int, int, bytes, int],
        state_rows: Sequence[tuple[bytes, bytes]],
        refs: Sequence[tuple[bytes, bytes, int]],
        state_hash: bytes,
        meta: Sequence[tuple[str, bytes]] = (),
    ) -> None:
        """Replace the state with a verified snapshot taken at the block ``block_row`` (height, hash,
        timestamp_ms, tx_count, data, log_ts_ms), in one transaction. ``refs`` are the live client references
        (reference key, tx id, deadline) of transactions this store has no index rows for."""
        w = self._writer
        w.execute("BEGIN IMMEDIATE")
        try:
            w.execute("INSERT OR REPLACE INTO blocks VALUES (?, ?, ?, ?, ?, ?)", block_row)
            w.execute("DELETE FROM state")
            w.executemany("INSERT INTO state VALUES (?, ?)", state_rows)
            w.execute("DELETE FROM snapshot_refs")
            w.executemany("INSERT INTO snapshot_refs VALUES (?, ?, ?)", refs)
            w.execute("INSERT OR REPLACE INTO meta VALUES ('state_hash', ?)", (state_hash,))
            w.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
            w.execute("COMMIT")
        except BaseException:
            w.execute("ROLLBACK")
            raise

    # --- reads ---

    def block(self, height: int) -> bytes | None:
        row = self._reader().execute("SELECT data FROM blocks WHERE height = ?", (height,)).fetchone()
        return row[0] if row else None

    def block_hash(self, height: int) -> bytes | None:
        row = self._reader().execute("SELECT hash FROM blocks WHERE height = ?", (height,)).fetchone()
        return row[0] if row else None

    def iter_blocks(self, from_height: int = 1) -> Iterator[tuple[int, bytes]]:
        """Every stored block from ``from_height`` up: (height, encoded block)."""
        for height, _hash, _ts, _count, data, _log_ts in self.iter_block_rows(from_height):
            yield height, data

    def iter_block_rows(self, from_height: int = 1) -> Iterator[tuple[int, bytes, int, int, bytes, int]]:
        """Every stored block row (height, hash, timestamp_ms, tx_count, data, log_ts_ms), in pages, on its
        own connection."""
        conn = self._connect()
        try:
            height = from_height
            while True:
                rows = conn.execute(
                    "SELECT height, hash, timestamp_ms, tx_count, data, log_ts_ms FROM blocks WHERE height >= ? "
                    "ORDER BY height LIMIT ?",
                    (height, BLOCKS_PAGE_MAX),
                ).fetchall()
                if not rows:
                    return
                yield from rows
                height = rows[-1][0] + 1
        finally:
            conn.close()

    def blocks_summary(self, before_height: int, limit: int) -> list[tuple[int, bytes, int, int]]:
        return self._reader().execute(
            "SELECT height, hash, timestamp_ms, tx_count FROM blocks WHERE height < ? ORDER BY height DESC LIMIT ?",
            (before_height, min(limit, BLOCKS_PAGE_MAX)),
        ).fetchall()

    def tx_location(self, tx_id: bytes) -> TxLocation | None:
        row = self._reader().execute("SELECT height, idx, code, at FROM txs WHERE id = ?", (tx_id,)).fetchone()
        return TxLocation(*row) if row else None

    def known_ids(self, ids: Sequence[bytes]) -> dict[bytes, TxLocation]:
        found: dict[bytes, TxLocation] = {}
        conn = self._reader()
        for start in range(0, len(ids), IDS_PER_QUERY_MAX):
            chunk = ids[start : start + IDS_PER_QUERY_MAX]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"SELECT id, height, idx, code, at FROM txs WHERE id IN ({marks})", chunk):
                found[row[0]] = TxLocation(row[1], row[2], row[3], row[4])
        return found

    def pruned_pending(self, pending_id: bytes) -> bytes | None:
        row = self._reader().execute("SELECT value FROM pruned_pendings WHERE id = ?", (pending_id,)).fetchone()
        return row[0] if row else None

    def block_log_ts(self, height: int) -> int:
        row = self._reader().execute("SELECT log_ts_ms FROM blocks WHERE height = ?", (height,)).fetchone()
        return row[0] if row else 0

    def state_value(self, key: bytes) -> bytes | None:
        row = self._reader().execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def state_values(self, prefix: bytes, limit: int) -> list[bytes]:
        """Values of the rows whose key starts with ``prefix``, in key order."""
        upper = prefix[:-1] + bytes([prefix[-1] + 1]) if prefix and prefix[-1] < 255 else prefix + b"\xff" * 64
        rows = self._reader().execute(
            "SELECT value FROM state WHERE key >= ? AND key < ? ORDER BY key LIMIT ?", (prefix, upper, limit)
        ).fetchall()
        return [r[0] for r in rows]

    def index_rows(self) -> list[tuple[bytes, int, int, int, int, bytes | None, int]]:
        return self._reader().execute(
            "SELECT id, height, idx, code, at, ref_key, ref_expires_at_ms FROM txs").fetchall()

    def live_refs(self, after_ms: int) -> list[tuple[bytes, bytes, int]]:
        """Client references still live after ``after_ms``: (reference key, tx id, deadline), from the
        transaction index and from the snapshot this store may have started from."""
        return self._reader().execute(
            "SELECT ref_key, id, ref_expires_at_ms FROM txs WHERE ref_expires_at_ms > ? "
            "UNION ALL SELECT ref_key, tx_id, expires_at_ms FROM snapshot_refs WHERE expires_at_ms > ?",
            (after_ms, after_ms)).fetchall()

    def state_rows(self) -> Iterator[tuple[bytes, bytes]]:
        return iter(self._reader().execute("SELECT key, value FROM state ORDER BY key").fetchall())

    def close(self) -> None:
        """Close every connection now, so the WAL is checkpointed and the files are final on return."""
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._writer.close()
