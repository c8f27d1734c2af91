"""The payout book records money owed: the remittance store is as durable as the ledger's and the QR store's
(WAL, every commit synced, a busy timeout, foreign keys), through the one helper every such store uses. The
remittance store syncs its WAL itself after each group commit, outside its lock (NORMAL inside COMMIT;
tests/remit/test_store_sync.py shows every unit synced before it is reported durable)."""

from __future__ import annotations

from pathlib import Path

from inzira import sqlite_db
from inzira.qr.store.schema import connect as qr_connect
from tests.remit_flow.conftest import Flow

NORMAL, FULL = 1, 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL


def _settings(row) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {name: row(f"PRAGMA {name}")[0] for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")}


def test_the_running_remittance_store_syncs_every_commit(flow: Flow) -> None:
    assert _settings(flow.service.db.row) == {"journal_mode": "wal", "synchronous": NORMAL,
                                              "busy_timeout": sqlite_db.BUSY_TIMEOUT_MS, "foreign_keys": 1}


def test_every_money_store_opens_through_the_helper(tmp_path: Path) -> None:
    for conn in (sqlite_db.connect(str(tmp_path / "a.db")), qr_connect(str(tmp_path / "qr.db"))):
        try:
            assert _settings(lambda sql, c=conn: c.execute(sql).fetchone()) == {
                "journal_mode": "wal", "synchronous": FULL, "busy_timeout": sqlite_db.BUSY_TIMEOUT_MS,
                "foreign_keys": 1}
        finally:
            conn.close()
    reader = sqlite_db.connect(str(tmp_path / "a.db"), read_only=True)
    try:
        assert reader.execute("PRAGMA query_only").fetchone()[0] == 1
    finally:
        reader.close()
