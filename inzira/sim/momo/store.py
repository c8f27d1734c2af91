"""The operator's books in SQLite: wallets by MSISDN, its disbursement float, transfers and wallet history.

Every state change is one SQLite transaction, so a payout moves the float and the wallet together or not at
all, and money is conserved: float + sum of wallet balances changes only through the admin API.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import msgspec

from inzira import sqlite_db
from inzira.sim.momo.config import (
    NOT_ENOUGH_FUNDS,
    PAYEE_NOT_ALLOWED_TO_RECEIVE,
    PAYEE_NOT_FOUND,
    MomoSimConfig,
)
from inzira.sim.momo.wire import HistoryEntry, NewWallet, WalletView

# Operator transaction ids are numeric strings, as MTN's financialTransactionId values are.
_FTX_BASE = 100_000_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS wallets (
  msisdn TEXT PRIMARY KEY, given_name TEXT NOT NULL, family_name TEXT NOT NULL,
  active INTEGER NOT NULL, balance_minor INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS float (id INTEGER PRIMARY KEY CHECK (id = 1), balance_minor INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY AUTOINCREMENT, msisdn TEXT NOT NULL, reference_id TEXT NOT NULL,
  amount_minor INTEGER NOT NULL, balance_after_minor INTEGER NOT NULL, at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS entries_by_msisdn ON entries (msisdn, id);
CREATE TABLE IF NOT EXISTS transfers (
  reference_id TEXT PRIMARY KEY, body BLOB NOT NULL, status TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS transfers_by_status ON transfers (status);
"""

Plan = Literal["settle", "fail", "hold"]


class Transfer(msgspec.Struct, frozen=True):
    """A disbursement as the operator holds it. ``plan`` is decided on acceptance, applied on resolution."""

    reference_id: str
    amount_minor: int
    currency: str
    msisdn: str
    external_id: str
    payer_message: str
    payee_note: str
    callback_url: str | None
    plan: Plan
    plan_reason: str | None
    created_ms: int
    status: Literal["PENDING", "SUCCESSFUL", "FAILED"] = "PENDING"
    reason: str | None = None
    financial_transaction_id: str | None = None


class Refused(Exception):
    """A state change the books refuse; ``code`` is stable and names why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_encode = msgspec.msgpack.Encoder().encode
_decode_transfer = msgspec.msgpack.Decoder(Transfer).decode


class WalletStore:
    def __init__(self, config: MomoSimConfig) -> None:
        self._config = config
        # The server's event loop is the only writer; the lock makes admin reads from other threads safe too.
        self._lock = threading.Lock()
        self._db = sqlite_db.connect(config.db_path)  # the operator's books: wallets and float
        self._db.executescript(_SCHEMA)
        self._db.execute("INSERT OR IGNORE INTO float (id, balance_minor) VALUES (1, ?)", (config.float_minor,))
        # Counted in memory: count(*) per transfer would cost O(transfers) on the hot path.
        self._transfers_total = self._count("SELECT count(*) FROM transfers")
        self._pending_total = self._count("SELECT count(*) FROM transfers WHERE status = 'PENDING'")

    def _count(self, sql: str) -> int:
        (count,) = self._db.execute(sql).fetchone()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def create_wallet(self, new: NewWallet) -> WalletView:
        if not 0 <= new.balance_minor <= self._config.wallet_balance_max_minor:
            raise Refused("INVALID_BALANCE", f"balance_minor must be in 0..{self._config.wallet_balance_max_minor}")
        with self._tx() as db:
            (count,) = db.execute("SELECT count(*) FROM wallets").fetchone()
            if db.execute("SELECT 1 FROM wallets WHERE msisdn = ?", (new.msisdn,)).fetchone():
                raise Refused("WALLET_EXISTS", f"a wallet for {new.msisdn} already exists")
            if count >= self._config.wallets_max:
                raise Refused("WALLETS_FULL", f"the simulator holds at most {self._config.wallets_max} wallets")
            db.execute(
                "INSERT INTO wallets VALUES (?, ?, ?, ?, ?)",
                (new.msisdn, new.given_name, new.family_name, int(new.active), new.balance_minor),
            )
        currency = self._config.currency
        return WalletView(new.msisdn, new.given_name, new.family_name, new.active, new.balance_minor, currency)

    def wallet(self, msisdn: str) -> WalletView | None:
        with self._lock:
            row = self._db.execute(
                "SELECT given_name, family_name, active, balance_minor FROM wallets WHERE msisdn = ?", (msisdn,)
            ).fetchone()
        if row is None:
            return None
        return WalletView(msisdn, row[0], row[1], bool(row[2]), row[3], self._config.currency)

    def history(self, msisdn: str, limit: int) -> list[HistoryEntry]:
        """The wallet's latest ``limit`` credits, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT reference_id, id, amount_minor, balance_after_minor, at_ms FROM entries"
                " WHERE msisdn = ? ORDER BY id DESC LIMIT ?",
                (msisdn, limit),
            ).fetchall()
        return [HistoryEntry(ref, str(_FTX_BASE + row), amount, after, at) for ref, row, amount, after, at in rows]

    def float_minor(self) -> int:
        with self._lock:
            (balance,) = self._db.execute("SELECT balance_minor FROM float WHERE id = 1").fetchone()
        return int(balance)

    def set_float(self, balance_minor: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE float SET balance_minor = ? WHERE id = 1", (balance_minor,))

    def transfer(self, reference_id: str) -> Transfer | None:
        with self._lock:
            row = self._db.execute("SELECT body FROM transfers WHERE reference_id = ?", (reference_id,)).fetchone()
        return None if row is None else _decode_transfer(row[0])

    def add_transfer(self, transfer: Transfer) -> None:
        with self._tx() as db:
            if db.execute("SELECT 1 FROM transfers WHERE reference_id = ?", (transfer.reference_id,)).fetchone():
                raise Refused("RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")
            if self._transfers_total >= self._config.transfers_max:
                message = f"the simulator holds at most {self._config.transfers_max} transfers"
                raise Refused("SERVICE_UNAVAILABLE", message)
            if self._pending_total >= self._config.pending_max:
                raise Refused("SERVICE_UNAVAILABLE", f"{self._pending_total} transfers are pending; try again later")
            db.execute(
                "INSERT INTO transfers VALUES (?, ?, ?)", (transfer.reference_id, _encode(transfer), transfer.status)
            )
            self._transfers_total += 1
            self._pending_total += 1

    def resolve(self, reference_id: str) -> Transfer:
        """Apply the transfer's plan once; a transfer already final is returned as it is."""
        with self._tx() as db:
            row = db.execute("SELECT body FROM transfers WHERE reference_id = ?", (reference_id,)).fetchone()
            transfer = _decode_transfer(row[0])
            if transfer.status != "PENDING" or transfer.plan == "hold":
                return transfer
            if transfer.plan == "fail":
                final = msgspec.structs.replace(transfer, status="FAILED", reason=transfer.plan_reason)
            else:
                final = self._settle(db, transfer)
            db.execute(
                "UPDATE transfers SET body = ?, status = ? WHERE reference_id = ?",
                (_encode(final), final.status, reference_id),
            )
            self._pending_total -= 1
            return final

    def _settle(self, db: sqlite3.Connection, transfer: Transfer) -> Transfer:
        wallet = db.execute("SELECT active, balance_minor FROM wallets WHERE msisdn = ?", (transfer.msisdn,)).fetchone()
        (float_minor,) = db.execute("SELECT balance_minor FROM float WHERE id = 1").fetchone()
        reason = None
        if wallet is None:
            reason = PAYEE_NOT_FOUND
        elif not wallet[0] or wallet[1] + transfer.amount_minor > self._config.wallet_balance_max_minor:
            reason = PAYEE_NOT_ALLOWED_TO_RECEIVE
        elif float_minor < transfer.amount_minor:
            reason = NOT_ENOUGH_FUNDS
        if reason is not None:
            return msgspec.structs.replace(transfer, status="FAILED", reason=reason)
        balance_after = wallet[1] + transfer.amount_minor
        db.execute("UPDATE float SET balance_minor = balance_minor - ? WHERE id = 1", (transfer.amount_minor,))
        db.execute("UPDATE wallets SET balance_minor = ? WHERE msisdn = ?", (balance_after, transfer.msisdn))
        cursor = db.execute(
            "INSERT INTO entries (msisdn, reference_id, amount_minor, balance_after_minor, at_ms)"
            " VALUES (?, ?, ?, ?, ?)",
            (transfer.msisdn, transfer.reference_id, transfer.amount_minor, balance_after, time.time_ns() // 1_000_000),
        )
        return msgspec.structs.replace(
            transfer, status="SUCCESSFUL", financial_transaction_id=str(_FTX_BASE + int(cursor.lastrowid or 0))
        )

    def counts(self) -> dict[str, int]:
        """Transfers by status."""
        with self._lock:
            rows = self._db.execute("SELECT status, count(*) FROM transfers GROUP BY status").fetchall()
        return {status: count for status, count in rows}
