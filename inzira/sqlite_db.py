"""The one way to open a SQLite database that holds money or obligations (the remittance service's payout
book, the QR service's payments, the simulated operator's wallets).

- WAL: readers never block the writer, and a crash leaves the last committed state;
- ``synchronous=FULL``: a commit is on disk before it returns, so what a caller was told survives a power
  cut (with NORMAL, the last commits before a power cut can vanish: a payout owed, a bill already paid);
- a busy timeout: a second connection waits for the writer instead of failing at once;
- foreign keys enforced, for any schema that declares them.

Read-only connections (``query_only``) leave the journal to the writer.
"""

from __future__ import annotations

import sqlite3

BUSY_TIMEOUT_MS = 5_000


def connect(path: str, *, read_only: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """An autocommit connection (``BEGIN`` explicitly), usable from any thread under the caller's own lock."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if read_only:
        conn.execute("PRAGMA query_only = 1")
    else:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
    return conn

