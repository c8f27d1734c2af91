"""Reading ``qr.db``: one read-only connection per thread (WAL lets them read beside the writer).

Every query here is bounded (by key, or with a LIMIT), so it is cheap enough to run on the event loop.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from inzira.qr.records import (
    Bill,
    CardTopUp,
    Merchant,
    Payment,
    Refund,
    TopUp,
    Wallet,
    WalletEntry,
    columns,
    from_row,
)
from inzira.qr.store.schema import connect

_MERCHANT = f"SELECT {columns(Merchant)} FROM merchants WHERE id = ?"
_BILL = f"SELECT {columns(Bill)} FROM bills WHERE id = ?"
_BILL_BY_NUMBER = f"SELECT {columns(Bill)} FROM bills WHERE merchant_id = ? AND bill_number = ?"
_WALLET = f"SELECT {columns(Wallet)} FROM wallets WHERE id = ?"
_PAYMENT = f"SELECT {columns(Payment)} FROM payments WHERE id = ?"
_PAYMENT_BY_QUOTE = f"SELECT {columns(Payment)} FROM payments WHERE quote_id = ?"
_REFUND = f"SELECT {columns(Refund)} FROM refunds WHERE id = ?"
_REFUNDS_OF = f"SELECT {columns(Refund)} FROM refunds WHERE payment_id = ? ORDER BY created_at_ms, id LIMIT ?"
_TOPUP = f"SELECT {columns(TopUp)} FROM topups WHERE id = ?"
CARD_TOPUP = f"SELECT {columns(CardTopUp)} FROM card_topups WHERE id = ?"
_ENTRIES = (f"SELECT {columns(WalletEntry)} FROM wallet_entries WHERE wallet_id = ? AND seq < ? "
            "ORDER BY seq DESC LIMIT ?")

REFUNDS_PER_PAYMENT_MAX = 100


class StoreReader:
    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, read_only=True)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()

    def one(self, sql: str, params: tuple[Any, ...]) -> Any:
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        return self.conn.execute(sql, params).fetchall()

    def _record(self, record: type, sql: str, params: tuple[Any, ...]) -> Any:
        row = self.one(sql, params)
        return None if row is None else from_row(record, row)

    def merchant(self, merchant_id: str) -> Merchant | None:
        return self._record(Merchant, _MERCHANT, (merchant_id,))

    def bill(self, bill_id: str) -> Bill | None:
        return self._record(Bill, _BILL, (bill_id,))

    def bill_by_number(self, merchant_id: str, bill_number: str) -> Bill | None:
        return self._record(Bill, _BILL_BY_NUMBER, (merchant_id, bill_number))

    def wallet(self, wallet_id: str) -> Wallet | None:
        return self._record(Wallet, _WALLET, (wallet_id,))

    def wallet_balance_minor(self, wallet_id: str) -> int:
        """The balance after the wallet's last history line (the service's own books)."""
        row = self.one("SELECT balance_after_minor FROM wallet_entries WHERE wallet_id = ? ORDER BY seq DESC LIMIT 1",
                       (wallet_id,))
        return 0 if row is None else row[0]

    def payment(self, payment_id: str) -> Payment | None:
        return self._record(Payment, _PAYMENT, (payment_id,))

    def payment_by_quote(self, quote_id: str) -> Payment | None:
        return self._record(Payment, _PAYMENT_BY_QUOTE, (quote_id,))

    def refund(self, refund_id: str) -> Refund | None:
        return self._record(Refund, _REFUND, (refund_id,))

    def refunds_of(self, payment_id: str) -> list[Refund]:
        return [from_row(Refund, r) for r in self.all(_REFUNDS_OF, (payment_id, REFUNDS_PER_PAYMENT_MAX))]

    def topup(self, topup_id: str) -> TopUp | None:
        return self._record(TopUp, _TOPUP, (topup_id,))

    def card_topup(self, topup_id: str) -> CardTopUp | None:
        return self._record(CardTopUp, CARD_TOPUP, (topup_id,))

    def entries(self, wallet_id: str, before_seq: int, limit: int) -> list[WalletEntry]:
        return [from_row(WalletEntry, r) for r in self.all(_ENTRIES, (wallet_id, before_seq, limit))]

    def in_flight(self, table: str, wallet_id: str) -> int:
        """Operations of a wallet still waiting for their verdict (payments, refunds or top-ups)."""
        row = self.one(f"SELECT count(*) FROM {table} WHERE status = 'submitted' AND wallet_id = ?", (wallet_id,))
        return row[0]

    def webhook_urls(self) -> dict[str, str]:
        return dict(self.all("SELECT acquirer, url FROM webhooks LIMIT 1000", ()))
